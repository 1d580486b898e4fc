data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

# The key policy, one statement per locals block. In a key policy the resource "*" is the key
# itself: no statement here reaches any other key.

locals {
  # kms:* for the account root hands the key to IAM: the account's policies decide who manages
  # and uses it, and the key can never become unmanageable.
  administration = {
    Sid       = "AccountAdministration"
    Effect    = "Allow"
    Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
    Action    = "kms:*"
    Resource  = "*"
  }
}

locals {
  # The actions CloudWatch Logs documents for log group encryption, for the named log groups only.
  cloudwatch_logs = {
    Sid       = "CloudWatchLogsUse"
    Effect    = "Allow"
    Principal = { Service = "logs.${data.aws_region.current.name}.amazonaws.com" }
    Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    Resource  = "*"
    Condition = { ArnLike = { "kms:EncryptionContext:aws:logs:arn" = var.log_group_arns } }
  }
}

locals {
  # The caller's services, each limited by its condition; the resource is the key itself.
  service_grants = [for grant in var.service_grants : {
    Sid       = grant.sid
    Effect    = "Allow"
    Principal = { Service = grant.services }
    Action    = grant.actions
    Resource  = "*"
    Condition = { (grant.condition.test) = { (grant.condition.variable) = grant.condition.values } }
  }]
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [local.administration],
      length(var.log_group_arns) > 0 ? [local.cloudwatch_logs] : [],
      local.service_grants,
    )
  })

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}
