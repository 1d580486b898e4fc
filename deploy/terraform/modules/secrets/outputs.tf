output "django_secret_key_arn" {
  description = "Secret holding SECRET_KEY."
  value       = aws_secretsmanager_secret.this["django_secret_key"].arn
}

output "email_url_arn" {
  description = "Secret holding EMAIL_URL."
  value       = aws_secretsmanager_secret.this["email_url"].arn
}

output "metrics_token_arn" {
  description = "Secret holding METRICS_TOKEN."
  value       = aws_secretsmanager_secret.this["metrics_token"].arn
}

output "database_password_arns" {
  description = "Secrets holding the passwords of the database roles: app (the service) and migrate (the manage task)."
  value = {
    app     = aws_secretsmanager_secret.this["db_app_password"].arn
    migrate = aws_secretsmanager_secret.this["db_migrate_password"].arn
  }
}

output "secret_arns" {
  description = "All secret ARNs of this module (what the task execution role may read)."
  value       = [for s in aws_secretsmanager_secret.this : s.arn]
}

output "secret_names" {
  description = "Secret names, for `aws secretsmanager put-secret-value --secret-id`."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.name }
}

output "kms_key_arn" {
  description = "KMS key encrypting the secrets and the SSM parameters of this environment."
  value       = module.kms.arn
}

output "database_proxy_login_arns" {
  description = "Secrets RDS Proxy signs in with, per role that connects through it: app (the service)."
  value = {
    app = aws_secretsmanager_secret.this["db_app_proxy_login"].arn
  }
}
