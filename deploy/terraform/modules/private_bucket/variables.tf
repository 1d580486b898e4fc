variable "bucket" {
  description = "Globally unique bucket name."
  type        = string
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with its objects (never in production)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key of the bucket. null: SSE-S3, only for the access-log bucket (ALB log delivery cannot write with KMS)."
  type        = string
  default     = null
}

variable "object_ownership" {
  description = "BucketOwnerEnforced (ACLs disabled), or BucketOwnerPreferred where a log delivery service still writes with ACLs."
  type        = string
  default     = "BucketOwnerEnforced"

  validation {
    condition     = contains(["BucketOwnerEnforced", "BucketOwnerPreferred"], var.object_ownership)
    error_message = "Object ownership stays with this account: BucketOwnerEnforced or BucketOwnerPreferred."
  }
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object version is kept."
  type        = number
}

variable "expiration_days" {
  description = "Days after which current objects expire too (access logs). null: they never do."
  type        = number
  default     = null
}

variable "access_logs" {
  description = "Where the S3 server access logs of this bucket go: a bucket and a key prefix, to which the bucket name and / are appended. null: nowhere (the access-log bucket itself)."
  type = object({
    bucket = string
    prefix = string
  })
  default = null
}

variable "policy_documents" {
  description = "Further bucket policy statements (JSON policy documents), merged with the TLS-only statement."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for the bucket."
  type        = map(string)
  default     = {}
}
