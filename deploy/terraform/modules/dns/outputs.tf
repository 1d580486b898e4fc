output "zone_id" {
  description = "ID of the hosted zone."
  value       = aws_route53_zone.this.zone_id
}

output "name_servers" {
  description = "Name servers to delegate the zone to (NS record at the parent / registrar)."
  value       = aws_route53_zone.this.name_servers
}

output "app_certificate_arn" {
  description = "Validated certificate for the ALB (regional)."
  value       = aws_acm_certificate_validation.app.certificate_arn
}

output "cdn_certificate_arn" {
  description = "Validated certificate for CloudFront (us-east-1)."
  value       = aws_acm_certificate_validation.cdn.certificate_arn
}

output "app_fqdn" {
  description = "Host name of the application."
  value       = aws_route53_record.app.fqdn
}

output "cdn_fqdn" {
  description = "Host name of the static CDN."
  value       = aws_route53_record.cdn["A"].fqdn
}
