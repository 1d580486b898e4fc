output "bucket_name" {
  description = "Name of the access-log bucket. Consumers wait for the bucket policy (ALB log delivery checks it on creation)."
  value       = module.bucket.id
}

output "bucket_arn" {
  description = "ARN of the access-log bucket."
  value       = module.bucket.arn
}

output "bucket_domain_name" {
  description = "Bucket domain name, as CloudFront's logging_config expects it."
  value       = module.bucket.domain_name
}

output "alb_prefix" {
  description = "Key prefix for ALB access logs."
  value       = "alb"
}

output "s3_prefix" {
  description = "Key prefix for S3 server access logs."
  value       = "s3/"
}

output "cloudfront_prefix" {
  description = "Key prefix for CloudFront standard logs."
  value       = "cloudfront/"
}

output "kms_key_arn" {
  description = "KMS key of every log group of the environment (ECS, WAF, RDS exports, AMP) and of the alarm topic."
  value       = module.kms.arn
}

output "app_log_group_name" {
  description = "Log group of the app container and the one-off tasks."
  value       = aws_cloudwatch_log_group.tasks["app"].name
}

output "app_log_group_arn" {
  description = "ARN of the app log group."
  value       = aws_cloudwatch_log_group.tasks["app"].arn
}

output "adot_log_group_name" {
  description = "Log group of the ADOT sidecar."
  value       = aws_cloudwatch_log_group.tasks["adot"].name
}

output "adot_log_group_arn" {
  description = "ARN of the ADOT sidecar's log group."
  value       = aws_cloudwatch_log_group.tasks["adot"].arn
}

output "exec_log_group_name" {
  description = "Log group for ECS Exec sessions."
  value       = aws_cloudwatch_log_group.tasks["exec"].name
}
