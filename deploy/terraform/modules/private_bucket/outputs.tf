output "id" {
  description = "Name of the bucket. Waits for the bucket policy, which log delivery services check when they are set up."
  value       = aws_s3_bucket.this.id

  depends_on = [aws_s3_bucket_policy.this]
}

output "arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "domain_name" {
  description = "Bucket domain name, as CloudFront's logging_config expects it. Waits for the ownership controls and the policy."
  value       = aws_s3_bucket.this.bucket_domain_name

  depends_on = [aws_s3_bucket_ownership_controls.this, aws_s3_bucket_policy.this]
}

output "regional_domain_name" {
  description = "Regional domain name (CloudFront origin)."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}
