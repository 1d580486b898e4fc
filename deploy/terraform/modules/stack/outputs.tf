output "name_servers" {
  description = "Delegate var.domain_name to these name servers (NS record in the parent zone / at the registrar)."
  value       = module.dns.name_servers
}

output "app_url" {
  description = "URL of the application."
  value       = "https://${local.app_domain}"
}

output "static_url" {
  description = "Base URL of the static files (STATIC_URL)."
  value       = "https://${local.cdn_domain}/static/"
}

output "ecr_repository_url" {
  description = "Push images here (tag = git SHA)."
  value       = module.ecr.repository_url
}

output "deploy_role_arn" {
  description = "GitHub environment variable AWS_DEPLOY_ROLE_ARN."
  value       = module.iam.deploy_role_arn
}

output "deploy_config_parameter" {
  description = "GitHub environment variable DEPLOY_CONFIG_PARAMETER."
  value       = aws_ssm_parameter.deploy_config.name
}

output "secret_names" {
  description = "Secrets to fill with `aws secretsmanager put-secret-value` before the first deploy."
  value       = module.secrets.secret_names
}

output "database_secret_arn" {
  description = "RDS-managed master user secret, read only by the db-bootstrap task."
  value       = module.rds.master_user_secret_arn
}

output "db_bootstrap_task_family" {
  description = "One-off task that creates the database roles (docs/deploy.md); an administrator runs it."
  value       = module.ecs.db_bootstrap_task_family
}

output "cluster_name" {
  description = "ECS cluster."
  value       = module.ecs.cluster_name
}

output "manage_task_family" {
  description = "One-off task definition family (migrate, collectstatic, createsuperuser)."
  value       = module.ecs.manage_task_family
}

output "private_subnet_ids" {
  description = "Subnets for one-off tasks."
  value       = module.network.private_subnet_ids
}

output "task_security_group_id" {
  description = "Security group for one-off tasks."
  value       = module.network.tasks_security_group_id
}

output "grafana_endpoint" {
  description = "Managed Grafana URL (empty when disabled)."
  value       = module.metrics.grafana_endpoint
}

output "alarm_topic_arn" {
  description = "SNS topic receiving CloudWatch and Prometheus alarms."
  value       = module.monitoring.sns_topic_arn
}
