output "bucket_name" {
  description = "Name of the access-log bucket. Consumers wait for the bucket policy (ALB log delivery checks it on creation)."
  value       = aws_s3_bucket.this.id

  depends_on = [aws_s3_bucket_policy.this]
}

output "bucket_arn" {
  description = "ARN of the access-log bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_domain_name" {
  description = "Bucket domain name, as CloudFront's logging_config expects it."
  value       = aws_s3_bucket.this.bucket_domain_name

  depends_on = [aws_s3_bucket_ownership_controls.this, aws_s3_bucket_policy.this]
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
