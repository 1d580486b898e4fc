output "static_bucket_name" {
  description = "Static files bucket (AWS_STATIC_BUCKET_NAME)."
  value       = aws_s3_bucket.this["static"].id
}

output "static_bucket_arn" {
  description = "ARN of the static files bucket."
  value       = aws_s3_bucket.this["static"].arn
}

output "media_bucket_name" {
  description = "Receipts bucket (AWS_STORAGE_BUCKET_NAME)."
  value       = aws_s3_bucket.this["media"].id
}

output "media_bucket_arn" {
  description = "ARN of the receipts bucket."
  value       = aws_s3_bucket.this["media"].arn
}

output "static_kms_key_arn" {
  description = "KMS key of the static bucket."
  value       = aws_kms_key.static.arn
}

output "media_kms_key_arn" {
  description = "KMS key of the receipts bucket."
  value       = aws_kms_key.media.arn
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
