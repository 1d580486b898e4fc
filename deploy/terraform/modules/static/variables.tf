variable "name" {
  description = "Name prefix, e.g. splitclone-staging. Buckets are <name>-static-<account> and <name>-media-<account>."
  type        = string
}

variable "cdn_domain" {
  description = "Host name CloudFront serves the static files on (STATIC_CDN_DOMAIN), e.g. static.staging.example.com."
  type        = string
}

variable "cdn_certificate_arn" {
  description = "Validated ACM certificate for cdn_domain, in us-east-1 (CloudFront requirement)."
  type        = string
}

variable "cors_allowed_origins" {
  description = "Origins allowed to load static files cross-origin (fonts, ES modules), e.g. [\"https://staging.example.com\"]."
  type        = list(string)
}

variable "logs_bucket_name" {
  description = "Access-log bucket (logs module) for S3 server access logs."
  type        = string
}

variable "logs_bucket_domain_name" {
  description = "Domain name of the access-log bucket for CloudFront standard logs."
  type        = string
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"
}

variable "media_noncurrent_version_days" {
  description = "Days an overwritten or deleted receipt version is kept (recovery from mistakes)."
  type        = number
  default     = 90
}

variable "static_noncurrent_version_days" {
  description = "Days an overwritten static file version is kept."
  type        = number
  default     = 30
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete non-empty buckets (never in production)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
