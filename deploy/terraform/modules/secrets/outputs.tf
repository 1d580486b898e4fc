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

output "secret_arns" {
  description = "All application secret ARNs."
  value       = [for s in aws_secretsmanager_secret.this : s.arn]
}

output "secret_names" {
  description = "Secret names, for `aws secretsmanager put-secret-value --secret-id`."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.name }
}

output "kms_key_arn" {
  description = "KMS key encrypting the secrets and the SSM parameters of this environment."
  value       = aws_kms_key.secrets.arn
}
