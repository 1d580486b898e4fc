output "alb_arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix (CloudWatch LoadBalancer dimension, autoscaling resource label)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (alias target)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone ID of the load balancer (alias target)."
  value       = aws_lb.this.zone_id
}

output "target_group_arn" {
  description = "Target group of the app service. Depends on the HTTPS listener, so ECS never attaches to an orphan group."
  value       = aws_lb_target_group.app.arn

  depends_on = [aws_lb_listener.https]
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (CloudWatch TargetGroup dimension)."
  value       = aws_lb_target_group.app.arn_suffix
}

output "alb_security_group_id" {
  description = "Security group of the ALB."
  value       = aws_security_group.alb.id
}

output "web_acl_arn" {
  description = "WAF web ACL ARN, or null when WAF is disabled."
  value       = var.enable_waf ? aws_wafv2_web_acl.this[0].arn : null
}
