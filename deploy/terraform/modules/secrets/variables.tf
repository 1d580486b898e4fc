variable "name" {
  description = "Name prefix, e.g. splitclone-staging. Secrets are created as <name>/<secret>."
  type        = string
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 7
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
