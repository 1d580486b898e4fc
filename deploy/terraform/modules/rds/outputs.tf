output "instance_identifier" {
  description = "RDS instance identifier (CloudWatch DBInstanceIdentifier dimension)."
  value       = aws_db_instance.this.identifier
}

output "instance_arn" {
  description = "ARN of the instance."
  value       = aws_db_instance.this.arn
}

output "address" {
  description = "Host name of the database (DATABASE_HOST)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the database (DATABASE_PORT)."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Application database (DATABASE_NAME)."
  value       = aws_db_instance.this.db_name
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret managed by RDS; JSON keys `username` and `password`."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "kms_key_arn" {
  description = "KMS key of the database and its master secret (the task execution role decrypts the secret with it)."
  value       = module.kms.arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.db.id
}

output "allocated_storage" {
  description = "Allocated storage in GiB (alarm thresholds)."
  value       = aws_db_instance.this.allocated_storage
}

output "app_address" {
  description = "Host name the app service connects to (its DATABASE_HOST): the proxy's endpoint when there is one, else the instance's."
  value       = local.proxy_count == 1 ? aws_db_proxy.this[0].endpoint : aws_db_instance.this.address
}
