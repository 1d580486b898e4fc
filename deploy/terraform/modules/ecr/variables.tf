variable "name" {
  description = "Repository name, e.g. splitclone-staging."
  type        = string
}

variable "keep_tagged_images" {
  description = "How many tagged images (git SHAs) to keep; older ones are expired. Keep enough for rollbacks."
  type        = number
  default     = 50
}

variable "untagged_image_expiry_days" {
  description = "Untagged images (e.g. interrupted pushes) are removed after this many days."
  type        = number
  default     = 7
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
