variable "name" {
  description = "Name prefix, e.g. splitclone-staging."
  type        = string
}

variable "log_kms_key_arn" {
  description = "KMS key of the workspace's log group (logs module)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the workspace's log group."
  type        = number
  default     = 365
}

variable "enable_grafana" {
  description = "Create an Amazon Managed Grafana workspace (needs IAM Identity Center enabled in the account)."
  type        = bool
  default     = true
}

variable "grafana_version" {
  description = "Managed Grafana version."
  type        = string
  default     = "10.4"
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
