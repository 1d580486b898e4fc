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
