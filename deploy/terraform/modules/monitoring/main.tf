data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  # fileset() of a missing folder is an empty set: no rules, no error.
  rule_files = fileset(var.prometheus_rules_dir, "*.{yml,yaml}")
}

# ---------------------------------------------------------------------------
# Alarm topic
# ---------------------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "alarms" {
  statement {
    sid       = "AlarmPublishers"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "aps.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms.json
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# ---------------------------------------------------------------------------
# CloudWatch alarms
# ---------------------------------------------------------------------------

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]
  alb_dimensions = {
    LoadBalancer = var.alb_arn_suffix
  }
  tg_dimensions = {
    LoadBalancer = var.alb_arn_suffix
    TargetGroup  = var.target_group_arn_suffix
  }
  ecs_dimensions = {
    ClusterName = var.ecs_cluster_name
    ServiceName = var.ecs_service_name
  }
  db_dimensions = {
    DBInstanceIdentifier = var.db_instance_identifier
  }
}

# Metric math (target 5xx + ALB 5xx), so it does not fit local.metric_alarms below.
resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${var.name}-alb-5xx"
  alarm_description   = "5xx responses (from targets and from the ALB itself) over ${var.target_5xx_threshold} per 5 minutes."
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = var.target_5xx_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "total"
    expression  = "FILL(target, 0) + FILL(elb, 0)"
    label       = "5xx responses"
    return_data = true
  }

  metric_query {
    id = "target"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = local.alb_dimensions
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "elb"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = local.alb_dimensions
      period      = 300
      stat        = "Sum"
    }
  }

  tags = var.tags
}

# Single-metric alarms, keyed by the alarm name after "${var.name}-". Each entry is merged over
# alarm_defaults; null leaves the argument unset (treat_missing_data then is "missing").
locals {
  alarm_defaults = {
    statistic          = null
    extended_statistic = null
    period             = 300
    comparison         = "GreaterThanThreshold"
    treat_missing_data = null
  }

  metric_alarms = {
    "target-response-time-p95" = {
      description        = "p95 target response time above ${var.response_time_threshold_seconds}s for 15 minutes."
      namespace          = "AWS/ApplicationELB"
      metric_name        = "TargetResponseTime"
      dimensions         = local.tg_dimensions
      extended_statistic = "p95"
      evaluation_periods = 3
      threshold          = var.response_time_threshold_seconds
      treat_missing_data = "notBreaching"
    }
    "unhealthy-hosts" = {
      description        = "At least one target failed the /healthz check for 3 minutes."
      namespace          = "AWS/ApplicationELB"
      metric_name        = "UnHealthyHostCount"
      dimensions         = local.tg_dimensions
      statistic          = "Maximum"
      period             = 60
      evaluation_periods = 3
      threshold          = 0
      treat_missing_data = "notBreaching"
    }
    "rds-cpu" = {
      description        = "Database CPU above 80 % for 15 minutes."
      namespace          = "AWS/RDS"
      metric_name        = "CPUUtilization"
      dimensions         = local.db_dimensions
      statistic          = "Average"
      evaluation_periods = 3
      threshold          = 80
    }
    "rds-free-storage" = {
      description        = "Database free storage below 10 % of the allocated size."
      namespace          = "AWS/RDS"
      metric_name        = "FreeStorageSpace"
      dimensions         = local.db_dimensions
      statistic          = "Minimum"
      evaluation_periods = 1
      threshold          = var.db_allocated_storage_gb * 1073741824 * 0.1
      comparison         = "LessThanThreshold"
    }
    "rds-connections" = {
      description        = "More than ${var.db_max_connections_alarm} database connections for 10 minutes."
      namespace          = "AWS/RDS"
      metric_name        = "DatabaseConnections"
      dimensions         = local.db_dimensions
      statistic          = "Maximum"
      evaluation_periods = 2
      threshold          = var.db_max_connections_alarm
    }
    "ecs-cpu" = {
      description        = "Service CPU above 85 % for 15 minutes (autoscaling is not keeping up or max capacity reached)."
      namespace          = "AWS/ECS"
      metric_name        = "CPUUtilization"
      dimensions         = local.ecs_dimensions
      statistic          = "Average"
      evaluation_periods = 3
      threshold          = 85
    }
    "ecs-memory" = {
      description        = "Service memory above 85 % for 15 minutes."
      namespace          = "AWS/ECS"
      metric_name        = "MemoryUtilization"
      dimensions         = local.ecs_dimensions
      statistic          = "Average"
      evaluation_periods = 3
      threshold          = 85
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = { for key, alarm in local.metric_alarms : key => merge(local.alarm_defaults, alarm) }

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended_statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison
  treat_missing_data  = each.value.treat_missing_data
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

# ---------------------------------------------------------------------------
# Prometheus rules and alert routing of the AMP workspace (metrics module)
# ---------------------------------------------------------------------------

# One rule group namespace per file in deploy/prometheus/rules/.
resource "aws_prometheus_rule_group_namespace" "this" {
  for_each = local.rule_files

  name         = trimsuffix(trimsuffix(each.value, ".yml"), ".yaml")
  workspace_id = var.prometheus_workspace_id
  data         = file("${var.prometheus_rules_dir}/${each.value}")
}

resource "aws_prometheus_alert_manager_definition" "this" {
  workspace_id = var.prometheus_workspace_id

  definition = yamlencode({
    alertmanager_config = yamlencode({
      route = {
        receiver        = "sns"
        group_by        = ["alertname", "severity"]
        group_wait      = "30s"
        group_interval  = "5m"
        repeat_interval = "4h"
      }
      receivers = [
        {
          name = "sns"
          sns_configs = [
            {
              topic_arn = aws_sns_topic.alarms.arn
              sigv4     = { region = local.region }
              subject   = "[${var.name}] Prometheus alert"
            },
          ]
        },
      ]
    })
  })
}
