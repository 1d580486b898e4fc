output "sns_topic_arn" {
  description = "Alarm topic."
  value       = aws_sns_topic.alarms.arn
}

output "prometheus_rule_namespaces" {
  description = "Rule group namespaces loaded from prometheus_rules_dir."
  value       = sort(keys(aws_prometheus_rule_group_namespace.this))
}

output "alarm_arns" {
  description = "CloudWatch alarm ARNs keyed by alarm name without the \"<name>-\" prefix."
  value = merge(
    { "alb-5xx" = aws_cloudwatch_metric_alarm.alb_5xx.arn },
    { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.arn },
  )
}
