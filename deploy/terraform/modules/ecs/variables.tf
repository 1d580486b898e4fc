variable "name" {
  description = "Name prefix, e.g. splitclone-staging (cluster, service and task families derive from it)."
  type        = string
}

variable "repository_url" {
  description = "ECR repository URL of the application image."
  type        = string
}

variable "image_tag" {
  description = "Image tag (git SHA) of the first task definition revision. Later deploys register new revisions from the workflow; Terraform ignores them on the service."
  type        = string
}

variable "container_port" {
  description = "Port gunicorn listens on."
  type        = number
  default     = 8000
}

variable "cpu" {
  description = "Task CPU units (256 = 0.25 vCPU)."
  type        = number
}

variable "memory" {
  description = "Task memory in MiB."
  type        = number
}

variable "adot_cpu" {
  description = "CPU units reserved for the ADOT sidecar (out of the task's)."
  type        = number
  default     = 64
}

variable "adot_memory" {
  description = "Memory in MiB reserved for the ADOT sidecar (out of the task's)."
  type        = number
  default     = 128
}

variable "worker_count" {
  description = "Background workers (run_worker). 1: the periodic jobs are idempotent, so more only share the queue."
  type        = number
  default     = 1
}

variable "worker_cpu" {
  description = "CPU units of the worker task (256 = 0.25 vCPU)."
  type        = number
  default     = 512
}

variable "worker_memory" {
  description = "Memory in MiB of the worker task."
  type        = number
  default     = 1024
}

variable "min_capacity" {
  description = "Minimum number of running app tasks."
  type        = number
}

variable "max_capacity" {
  description = "Maximum number of running app tasks."
  type        = number
}

variable "cpu_target_percent" {
  description = "Target average CPU for autoscaling."
  type        = number
  default     = 60
}

variable "requests_per_target" {
  description = "Target ALB requests per task per minute for autoscaling."
  type        = number
  default     = 600
}

variable "subnet_ids" {
  description = "Private subnets for the tasks."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the tasks (network module)."
  type        = string
}

variable "target_group_arn" {
  description = "Target group the app container registers with."
  type        = string
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the ALB (request-count scaling)."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the target group (request-count scaling)."
  type        = string
}

variable "execution_role_arn" {
  description = "Task execution role."
  type        = string
}

variable "app_task_role_arn" {
  description = "Task role of the app service."
  type        = string
}

variable "manage_task_role_arn" {
  description = "Task role of the one-off manage task."
  type        = string
}

variable "app_log_group_name" {
  description = "Log group of the app and manage containers."
  type        = string
}

variable "adot_log_group_name" {
  description = "Log group of the ADOT sidecar."
  type        = string
}

variable "exec_log_group_name" {
  description = "Log group for ECS Exec session logs."
  type        = string
}

variable "log_kms_key_arn" {
  description = "KMS key for ECS Exec sessions and their logs."
  type        = string
}

variable "environment" {
  description = "Plain environment variables of the app container."
  type        = map(string)
}

variable "secrets" {
  description = "Secret environment variables: name => Secrets Manager / SSM ARN (optionally with :json-key:: suffix). The database login is added per task family."
  type        = map(string)
}

variable "app_database_login" {
  description = "Database role of the app service (DATABASE_USER), the secret holding its password (DATABASE_PASSWORD), DML on the tables only, and the host it connects to (DATABASE_HOST: RDS Proxy where there is one, DATABASE_BEHIND_PROXY)."
  type = object({
    user                = string
    password_secret_arn = string
    host                = string
    behind_proxy        = bool
  })
}

variable "manage_database_login" {
  description = "Database role of the one-off manage task (migrations), which owns the schema, the secret holding its password, and the host it connects to (the instance itself)."
  type = object({
    user                = string
    password_secret_arn = string
    host                = string
    behind_proxy        = bool
  })
}

variable "db_bootstrap" {
  description = "The one-off task that creates both database roles: its execution role (the only one that reads the master secret), the RDS master secret, the database and the SQL it runs (deploy/database/roles.sql)."
  type = object({
    execution_role_arn = string
    master_secret_arn  = string
    host               = string
    port               = number
    database           = string
    sql                = string
  })
}

variable "db_bootstrap_image" {
  description = "Image with psql 15 or newer (\\getenv) for the db-bootstrap task."
  type        = string
  default     = "public.ecr.aws/docker/library/postgres:16.9-alpine"
}

variable "enable_adot" {
  description = "Run the ADOT collector sidecar that scrapes /metrics and remote-writes to AMP."
  type        = bool
  default     = true
}

variable "adot_image" {
  description = "AWS Distro for OpenTelemetry collector image."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
}

variable "prometheus_remote_write_url" {
  description = "AMP remote write endpoint."
  type        = string
}

variable "metrics_token_secret_arn" {
  description = "Secret with METRICS_TOKEN; the sidecar sends it as bearer token."
  type        = string
}

variable "secrets_kms_key_arn" {
  description = "KMS key for the SSM parameter holding the ADOT configuration."
  type        = string
}

variable "scrape_interval" {
  description = "How often the sidecar scrapes /metrics."
  type        = string
  default     = "30s"
}

variable "environment_label" {
  description = "Value of the `environment` label on every scraped series (staging / production)."
  type        = string
}

variable "health_check_grace_period" {
  description = "Seconds the ALB health check is ignored after a task starts."
  type        = number
  default     = 60
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
