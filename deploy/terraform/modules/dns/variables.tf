variable "zone_name" {
  description = "Public hosted zone created for this environment, e.g. staging.splitclone.example or splitclone.example. Delegate it from the parent zone / registrar with the name_servers output."
  type        = string
}

variable "app_domain" {
  description = "Host name of the application (ALB), e.g. the zone apex."
  type        = string
}

variable "cdn_domain" {
  description = "Host name of the static files CDN, e.g. static.<zone_name>."
  type        = string
}

variable "alb_dns_name" {
  description = "DNS name of the ALB (alias target for app_domain)."
  type        = string
}

variable "alb_zone_id" {
  description = "Hosted zone ID of the ALB."
  type        = string
}

variable "cdn_dns_name" {
  description = "CloudFront domain name (alias target for cdn_domain)."
  type        = string
}

variable "cdn_zone_id" {
  description = "Hosted zone ID of the CloudFront distribution."
  type        = string
}

variable "query_log_retention_days" {
  description = "Retention of the Route 53 query logs (stored in us-east-1)."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
