output "static_bucket_name" {
  description = "Static files bucket (AWS_STATIC_BUCKET_NAME)."
  value       = module.bucket["static"].id
}

output "static_bucket_arn" {
  description = "ARN of the static files bucket."
  value       = module.bucket["static"].arn
}

output "media_bucket_name" {
  description = "Receipts bucket (AWS_STORAGE_BUCKET_NAME)."
  value       = module.bucket["media"].id
}

output "media_bucket_arn" {
  description = "ARN of the receipts bucket."
  value       = module.bucket["media"].arn
}

output "static_kms_key_arn" {
  description = "KMS key of the static bucket."
  value       = module.static_key.arn
}

output "media_kms_key_arn" {
  description = "KMS key of the receipts bucket."
  value       = module.media_key.arn
}

output "distribution_id" {
  description = "CloudFront distribution ID (invalidations)."
  value       = aws_cloudfront_distribution.static.id
}

output "distribution_arn" {
  description = "CloudFront distribution ARN."
  value       = aws_cloudfront_distribution.static.arn
}

output "distribution_domain_name" {
  description = "*.cloudfront.net name of the distribution (alias target)."
  value       = aws_cloudfront_distribution.static.domain_name
}

output "distribution_hosted_zone_id" {
  description = "Hosted zone of the distribution (alias target)."
  value       = aws_cloudfront_distribution.static.hosted_zone_id
}
