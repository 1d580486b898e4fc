variable "name" {
  description = "Name prefix, e.g. splitclone-staging."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the alarm topic (logs module); its policy lets CloudWatch and AMP publish."
  type        = string
}

variable "prometheus_workspace_id" {
  description = "AMP workspace (metrics module) whose rules and alert manager are configured here."
  type        = string
}

variable "alarm_email" {
  description = "Optional e-mail address subscribed to the alarm topic (confirm the subscription mail). Empty: no subscription."
  type        = string
  default     = ""
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the ALB."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the app target group."
  type        = string
}

variable "ecs_cluster_name" {
  description = "ECS cluster name."
  type        = string
}

variable "ecs_service_name" {
  description = "ECS service name."
  type        = string
}

variable "db_instance_identifier" {
  description = "RDS instance identifier."
  type        = string
}

variable "db_allocated_storage_gb" {
  description = "Allocated storage of the database; the free-storage alarm fires below 10 % of it."
  type        = number
}

variable "db_max_connections_alarm" {
  description = "DatabaseConnections above this value raises an alarm (keep below max_connections of the instance class)."
  type        = number
  default     = 80
}

variable "target_5xx_threshold" {
  description = "5xx responses (target + ALB) per 5 minutes that raise an alarm."
  type        = number
  default     = 10
}

variable "response_time_threshold_seconds" {
  description = "p95 target response time that raises an alarm."
  type        = number
  default     = 1.5
}

variable "prometheus_rules_dir" {
  description = "Folder with Prometheus alerting/recording rule files (*.yml), loaded into Amazon Managed Service for Prometheus. A missing or empty folder loads nothing."
  type        = string
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
