variable "name" {
  description = "Name prefix, e.g. splitclone-staging (ALB names are limited to 32 characters)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "tasks_security_group_id" {
  description = "Security group of the ECS tasks (network module): the ALB forwards to it, and it admits the ALB."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two AZs) for the ALB."
  type        = list(string)
}

variable "certificate_arn" {
  description = "Validated ACM certificate for the HTTPS listener (same region as the ALB)."
  type        = string
}

variable "container_port" {
  description = "Port gunicorn listens on in the container."
  type        = number
  default     = 8000
}

variable "health_check_path" {
  description = "Liveness endpoint used by the target group health check."
  type        = string
  default     = "/healthz"
}

variable "blocked_paths" {
  description = "Paths the ALB answers itself with a 404 and never forwards (metrics are scraped in-task by the ADOT sidecar)."
  type        = list(string)
  default     = ["/metrics", "/metrics/*"]
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.2 and 1.3 only)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "access_logs_bucket" {
  description = "S3 bucket receiving the ALB access logs (see the logs module)."
  type        = string
}

variable "access_logs_prefix" {
  description = "Key prefix for the access logs in that bucket."
  type        = string
  default     = "alb"
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion (true in production)."
  type        = bool
  default     = true
}

variable "idle_timeout" {
  description = "Seconds an idle connection is kept open."
  type        = number
  default     = 60
}

variable "deregistration_delay" {
  description = "Seconds to drain a target before it is removed (gunicorn graceful timeout should be below this)."
  type        = number
  default     = 30
}

variable "enable_waf" {
  description = "Attach an AWS WAFv2 web ACL (managed rule groups + rate limit) to the ALB."
  type        = bool
  default     = true
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes from one IP before WAF blocks it."
  type        = number
  default     = 2000
}

variable "log_kms_key_arn" {
  description = "KMS key for the WAF log group (logs module)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the WAF log group."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
