output "execution_role_arn" {
  description = "Task execution role (image pull, logs, secrets)."
  value       = aws_iam_role.execution.arn

  # Consumers (task definitions) wait until the role can actually pull/read.
  depends_on = [aws_iam_role_policy.execution]
}

output "db_bootstrap_execution_role_arn" {
  description = "Execution role of the db-bootstrap task (reads the RDS master secret)."
  value       = aws_iam_role.db_bootstrap_execution.arn

  depends_on = [aws_iam_role_policy.db_bootstrap_execution]
}

output "app_task_role_arn" {
  description = "Task role of the app service."
  value       = aws_iam_role.app.arn

  depends_on = [aws_iam_role_policy.app]
}

output "manage_task_role_arn" {
  description = "Task role of the one-off manage task."
  value       = aws_iam_role.manage.arn

  depends_on = [aws_iam_role_policy.manage]
}

output "deploy_role_arn" {
  description = "Role for GitHub Actions; set it as AWS_DEPLOY_ROLE_ARN in the GitHub environment."
  value       = aws_iam_role.deploy.arn
}
