variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-west-1"
}

variable "domain_name" {
  description = "Public DNS zone of this environment; the app is served at its apex, static files at static.<domain_name>."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose `staging` environment may deploy."
  type        = string
}

variable "image_tag" {
  description = "Image tag (git SHA) for the first task definition revision; later deploys are done by .github/workflows/deploy.yml."
  type        = string
}

variable "alarm_email" {
  description = "E-mail address for alarm notifications (empty: none)."
  type        = string
  default     = ""
}

variable "default_from_email" {
  description = "DEFAULT_FROM_EMAIL of the app (empty: Splitclone <noreply@domain_name>)."
  type        = string
  default     = ""
}
