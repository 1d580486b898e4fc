variable "name" {
  description = "Name prefix, e.g. splitclone-staging. The bucket is <name>-access-logs-<account id>."
  type        = string
}

variable "expiration_days" {
  description = "Access logs (ALB, CloudFront, S3 server access) are deleted after this many days."
  type        = number
  default     = 365
}

variable "log_retention_days" {
  description = "Retention of the ECS tasks' log groups."
  type        = number
  default     = 365
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a non-empty bucket (staging only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
