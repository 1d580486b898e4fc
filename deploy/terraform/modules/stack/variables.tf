# Per-environment knobs. Each environment sets every size; the protections default to on, so an
# environment gives one up only by saying so.

variable "environment" {
  description = "Environment name (staging, production): names every resource splitclone-<environment> and is the GitHub environment allowed to deploy."
  type        = string
}

variable "domain_name" {
  description = "Public DNS zone of the environment; the app is served at its apex, static files at static.<domain_name>."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository; its GitHub environment named after var.environment may deploy."
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

variable "cidr_block" {
  description = "CIDR block of the environment's VPC."
  type        = string
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per availability zone (false: a single shared one, cheaper, one AZ's outage cuts outbound traffic)."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Deletion protection on the load balancer and the database."
  type        = bool
  default     = true
}

variable "enable_waf" {
  description = "AWS WAF web ACL on the load balancer."
  type        = bool
  default     = true
}

variable "enable_grafana" {
  description = "Amazon Managed Grafana workspace (needs IAM Identity Center)."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the static, media and access-log buckets with their objects."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups (app, ALB WAF, database, DNS queries)."
  type        = number
}

variable "access_log_expiration_days" {
  description = "Days after which ALB, CloudFront and S3 access logs expire."
  type        = number
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "db_allocated_storage" {
  description = "Initial database storage in GiB."
  type        = number
}

variable "db_max_allocated_storage" {
  description = "Upper bound in GiB for storage autoscaling."
  type        = number
}

variable "db_proxy" {
  description = "RDS Proxy between the app service and the database (docs/capacity.md: connection fan-out past a few tasks, faster failover)."
  type        = bool
  default     = false
}

variable "db_multi_az" {
  description = "Multi-AZ database with a synchronous standby."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time restore window)."
  type        = number
}

variable "db_apply_immediately" {
  description = "Apply database changes at once instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "keep_tagged_images" {
  description = "How many tagged images the ECR lifecycle policy keeps (rollback depth)."
  type        = number
}

variable "task_cpu" {
  description = "CPU units per app task (1024 = 1 vCPU)."
  type        = number
}

variable "task_memory" {
  description = "Memory in MiB per app task."
  type        = number
}

variable "min_capacity" {
  description = "Fewest app tasks the service scales down to."
  type        = number
}

variable "max_capacity" {
  description = "Most app tasks the service scales up to."
  type        = number
}

variable "gunicorn_workers" {
  description = "GUNICORN_WORKERS per task (sized to task_cpu)."
  type        = number
}
