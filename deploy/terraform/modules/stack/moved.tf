# State addresses from before the log groups and their key moved from monitoring to logs, the
# Prometheus workspace and Grafana to metrics, and the tasks' security group from alb to network.

moved {
  from = module.monitoring.aws_kms_key.logs
  to   = module.logs.module.kms.aws_kms_key.this
}

moved {
  from = module.monitoring.aws_kms_alias.logs
  to   = module.logs.module.kms.aws_kms_alias.this
}

moved {
  from = module.monitoring.aws_cloudwatch_log_group.this
  to   = module.logs.aws_cloudwatch_log_group.tasks
}

moved {
  from = module.monitoring.aws_cloudwatch_log_group.prometheus
  to   = module.metrics.aws_cloudwatch_log_group.prometheus
}

moved {
  from = module.monitoring.aws_prometheus_workspace.this
  to   = module.metrics.aws_prometheus_workspace.this
}

moved {
  from = module.monitoring.aws_iam_role.grafana
  to   = module.metrics.aws_iam_role.grafana
}

moved {
  from = module.monitoring.aws_iam_role_policy.grafana
  to   = module.metrics.aws_iam_role_policy.grafana
}

moved {
  from = module.monitoring.aws_grafana_workspace.this
  to   = module.metrics.aws_grafana_workspace.this
}

moved {
  from = module.monitoring.aws_grafana_workspace_service_account.deploy
  to   = module.metrics.aws_grafana_workspace_service_account.deploy
}

moved {
  from = module.alb.aws_security_group.tasks
  to   = module.network.aws_security_group.tasks
}

moved {
  from = module.alb.aws_vpc_security_group_egress_rule.tasks_out
  to   = module.network.aws_vpc_security_group_egress_rule.tasks_out
}
