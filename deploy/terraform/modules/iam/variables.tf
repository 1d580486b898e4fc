variable "name" {
  description = "Name prefix, e.g. splitclone-staging."
  type        = string
}

variable "ecr_repository_arn" {
  description = "Repository the tasks pull from and the deploy role pushes to."
  type        = string
}

variable "log_group_arns" {
  description = "Log groups the containers write to (app, adot): the task execution role creates their streams."
  type        = list(string)
}

variable "app_log_group_arn" {
  description = "App log group; the deploy role reads the one-off task output from it."
  type        = string
}

variable "secret_arns" {
  description = "Secrets Manager secrets injected into the app and manage containers (application secrets, database role passwords); never the RDS master secret."
  type        = list(string)
}

variable "db_bootstrap_secret_arns" {
  description = "Secrets the db-bootstrap task reads: the RDS master secret and the passwords of the roles it creates."
  type        = list(string)
}

variable "db_bootstrap_kms_key_arns" {
  description = "KMS keys of those secrets."
  type        = list(string)
}

variable "ssm_parameter_arns" {
  description = "SSM parameters injected into the containers (ADOT configuration)."
  type        = list(string)
}

variable "secret_kms_key_arns" {
  description = "KMS keys of those secrets/parameters."
  type        = list(string)
}

variable "media_bucket_arn" {
  description = "Receipts bucket: read/write for the app."
  type        = string
}

variable "media_kms_key_arn" {
  description = "KMS key of the receipts bucket."
  type        = string
}

variable "static_bucket_arn" {
  description = "Static bucket: read for the app, read/write for the one-off manage task (collectstatic)."
  type        = string
}

variable "static_kms_key_arn" {
  description = "KMS key of the static bucket."
  type        = string
}

variable "prometheus_workspace_arn" {
  description = "AMP workspace the ADOT sidecar remote-writes to."
  type        = string
}

variable "ecs_cluster_name" {
  description = "ECS cluster of the environment."
  type        = string
}

variable "ecs_service_name" {
  description = "ECS service of the app, which the deploy role may update."
  type        = string
}

variable "ecs_worker_service_name" {
  description = "ECS service of the background worker, which the deploy role may update."
  type        = string
}

variable "manage_task_family" {
  description = "Family of the one-off task definition (migrate, collectstatic, createsuperuser)."
  type        = string
}

variable "cloudfront_distribution_arn" {
  description = "Static CDN distribution the deploy role may invalidate."
  type        = string
}

variable "deploy_config_parameter_arn" {
  description = "SSM parameter with the deploy configuration (read by the workflow)."
  type        = string
}

variable "grafana_workspace_arn" {
  description = "Managed Grafana workspace for dashboard import, or empty."
  type        = string
  default     = ""
}

variable "github_oidc_provider_arn" {
  description = "ARN of the token.actions.githubusercontent.com OIDC provider (created by deploy/terraform/bootstrap)."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository allowed to deploy."
  type        = string
}

variable "github_environment" {
  description = "GitHub environment whose jobs may assume the deploy role (staging / production)."
  type        = string
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
