output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "ECS service name."
  value       = aws_ecs_service.app.name
}

output "app_task_family" {
  description = "Task definition family of the app service."
  value       = aws_ecs_task_definition.app.family
}

output "manage_task_family" {
  description = "Task definition family of the one-off manage task (migrate by default)."
  value       = aws_ecs_task_definition.manage.family
}

output "db_bootstrap_task_family" {
  description = "Task definition family of the one-off task that creates the database roles (run once by an administrator)."
  value       = aws_ecs_task_definition.db_bootstrap.family
}

output "adot_config_parameter_arn" {
  description = "SSM parameter holding the ADOT collector configuration."
  value       = aws_ssm_parameter.adot_config.arn
}

output "worker_service_name" {
  description = "ECS service of the background worker."
  value       = aws_ecs_service.worker.name
}

output "worker_task_family" {
  description = "Task definition family of the background worker (deploys register new revisions of it like the app's)."
  value       = aws_ecs_task_definition.worker.family
}
