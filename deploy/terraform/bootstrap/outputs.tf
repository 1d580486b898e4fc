output "state_bucket" {
  description = "Pass to `terraform init -backend-config=\"bucket=...\"` in each environment."
  value       = aws_s3_bucket.state.id
}

output "lock_table" {
  description = "DynamoDB lock table (dynamodb_table in the backend blocks)."
  value       = aws_dynamodb_table.locks.name
}

output "state_kms_key_arn" {
  description = "KMS key encrypting the state objects."
  value       = module.kms.arn
}

output "github_oidc_provider_arn" {
  description = "GitHub Actions OIDC provider (empty when not created here)."
  value       = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : ""
}
