variable "name" {
  description = "Identifier prefix, e.g. splitclone-staging."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private (isolated) subnets in at least two AZs."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "Security group of the ECS tasks: the only source allowed to reach the database."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version (major, or major.minor). Minor upgrades are applied automatically."
  type        = string
  default     = "16"

  validation {
    condition     = tonumber(split(".", var.engine_version)[0]) >= 16
    error_message = "PostgreSQL 16 or newer is required."
  }
}

variable "instance_class" {
  description = "Instance class, e.g. db.t4g.small (staging) or db.m7g.large (production)."
  type        = string
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 100
}

variable "multi_az" {
  description = "Synchronous standby in a second AZ (true in production)."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (true in production)."
  type        = bool
  default     = true
}

variable "backup_retention_period" {
  description = "Days of automated backups / point-in-time restore."
  type        = number
  default     = 14
}

variable "database_name" {
  description = "Name of the application database."
  type        = string
  default     = "splitclone"
}

variable "master_username" {
  description = "Master user name; the password is generated and rotated by RDS in Secrets Manager."
  type        = string
  default     = "splitclone"
}

variable "performance_insights_retention_period" {
  description = "Days of Performance Insights history (7 is free)."
  type        = number
  default     = 7
}

variable "monitoring_interval" {
  description = "Enhanced Monitoring interval in seconds (0 disables)."
  type        = number
  default     = 60
}

variable "apply_immediately" {
  description = "Apply modifications now instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "log_kms_key_arn" {
  description = "KMS key for the exported PostgreSQL log groups."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the exported PostgreSQL logs."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "proxy_login_secret_arns" {
  description = "RDS Proxy in front of the instance when set: role name => Secrets Manager secret holding that role's login as JSON ({\"username\", \"password\"}). Null: no proxy, clients connect to the instance."
  type        = map(string)
  default     = null
}

variable "proxy_secrets_kms_key_arn" {
  description = "KMS key of the proxy's login secrets (the proxy's role may decrypt with it through Secrets Manager only)."
  type        = string
  default     = null
}

variable "proxy_max_connections_percent" {
  description = "Share of the instance's max_connections the proxy may open."
  type        = number
  default     = 80
}
