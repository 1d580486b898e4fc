output "logs_kms_key_arn" {
  description = "KMS key for log groups (also used by the ALB WAF logs, RDS log exports and ECS Exec)."
  value       = aws_kms_key.logs.arn
}

output "app_log_group_name" {
  description = "Log group of the app container and the one-off manage tasks."
  value       = aws_cloudwatch_log_group.this["app"].name
}

output "adot_log_group_name" {
  description = "Log group of the ADOT sidecar."
  value       = aws_cloudwatch_log_group.this["adot"].name
}

output "exec_log_group_name" {
  description = "Log group for ECS Exec sessions."
  value       = aws_cloudwatch_log_group.this["exec"].name
}

output "log_group_arns" {
  description = "ARNs of the ECS log groups (task execution role writes to them)."
  value       = [for g in aws_cloudwatch_log_group.this : g.arn]
}

output "app_log_group_arn" {
  description = "ARN of the app log group."
  value       = aws_cloudwatch_log_group.this["app"].arn
}

output "sns_topic_arn" {
  description = "Alarm topic."
  value       = aws_sns_topic.alarms.arn
}

output "prometheus_workspace_id" {
  description = "AMP workspace ID."
  value       = aws_prometheus_workspace.this.id
}

output "prometheus_workspace_arn" {
  description = "AMP workspace ARN (remote write permission)."
  value       = aws_prometheus_workspace.this.arn
}

output "prometheus_endpoint" {
  description = "AMP workspace endpoint (Grafana data source URL)."
  value       = trimsuffix(aws_prometheus_workspace.this.prometheus_endpoint, "/")
}

output "prometheus_remote_write_url" {
  description = "AMP remote write URL for the ADOT sidecar."
  value       = "${trimsuffix(aws_prometheus_workspace.this.prometheus_endpoint, "/")}/api/v1/remote_write"
}

output "prometheus_rule_namespaces" {
  description = "Rule group namespaces loaded from prometheus_rules_dir."
  value       = sort(keys(aws_prometheus_rule_group_namespace.this))
}

output "grafana_workspace_id" {
  description = "Managed Grafana workspace ID, or empty when disabled."
  value       = var.enable_grafana ? aws_grafana_workspace.this[0].id : ""
}

output "grafana_workspace_arn" {
  description = "Managed Grafana workspace ARN, or empty when disabled."
  value       = var.enable_grafana ? aws_grafana_workspace.this[0].arn : ""
}

output "grafana_endpoint" {
  description = "Managed Grafana URL, or empty when disabled."
  value       = var.enable_grafana ? "https://${aws_grafana_workspace.this[0].endpoint}" : ""
}

output "grafana_service_account_id" {
  description = "Service account the deploy workflow mints dashboard-import tokens for, or empty when disabled."
  value       = var.enable_grafana ? aws_grafana_workspace_service_account.deploy[0].service_account_id : ""
}

output "alarm_arns" {
  description = "CloudWatch alarm ARNs keyed by alarm name without the \"<name>-\" prefix."
  value = merge(
    { "alb-5xx" = aws_cloudwatch_metric_alarm.alb_5xx.arn },
    { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.arn },
  )
}
