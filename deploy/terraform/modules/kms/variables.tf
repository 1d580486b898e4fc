variable "alias" {
  description = "Alias of the key, without the alias/ prefix, e.g. splitclone-staging-rds."
  type        = string
}

variable "description" {
  description = "What the key encrypts."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Days a deleted key can still be restored."
  type        = number
  default     = 30
}

variable "log_group_arns" {
  description = "CloudWatch log groups (ARNs, * allowed) the regional CloudWatch Logs service may encrypt with the key. Empty: none."
  type        = list(string)
  default     = []
}

variable "service_grants" {
  description = "Further AWS services that use the key, each limited by one condition (e.g. aws:SourceArn of the one distribution that reads a bucket)."
  type = list(object({
    sid      = string
    services = list(string)
    actions  = list(string)
    condition = object({
      test     = string
      variable = string
      values   = list(string)
    })
  }))
  default = []
}

variable "tags" {
  description = "Extra tags for the key."
  type        = map(string)
  default     = {}
}
