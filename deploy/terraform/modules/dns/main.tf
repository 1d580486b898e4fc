data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id     = data.aws_caller_identity.current.account_id
  query_log_name = "/aws/route53/${var.zone_name}"
}

resource "aws_route53_zone" "this" {
  # checkov:skip=CKV2_AWS_38:DNSSEC needs a DS record at the parent zone/registrar, which is outside this stack; enable it once delegation is settled (docs/deploy.md).
  name    = var.zone_name
  comment = "Splitclone ${var.zone_name}"

  tags = var.tags
}

# Only Amazon may issue certificates for this zone.
resource "aws_route53_record" "caa" {
  zone_id = aws_route53_zone.this.zone_id
  name    = var.zone_name
  type    = "CAA"
  ttl     = 3600
  records = [
    "0 issue \"amazon.com\"",
    "0 issuewild \";\"",
  ]
}

# ---------------------------------------------------------------------------
# Certificates: the ALB's in the stack's region, CloudFront's in us-east-1.
# ---------------------------------------------------------------------------

resource "aws_acm_certificate" "app" {
  domain_name       = var.app_domain
  validation_method = "DNS"

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate" "cdn" {
  provider = aws.us_east_1

  domain_name       = var.cdn_domain
  validation_method = "DNS"

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  validation_records = merge(
    { for o in aws_acm_certificate.app.domain_validation_options : o.domain_name => o },
    { for o in aws_acm_certificate.cdn.domain_validation_options : o.domain_name => o },
  )
}

resource "aws_route53_record" "validation" {
  for_each = local.validation_records

  zone_id         = aws_route53_zone.this.zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  ttl             = 300
  records         = [each.value.resource_record_value]
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "app" {
  certificate_arn         = aws_acm_certificate.app.arn
  validation_record_fqdns = [aws_route53_record.validation[var.app_domain].fqdn]
}

resource "aws_acm_certificate_validation" "cdn" {
  provider = aws.us_east_1

  certificate_arn         = aws_acm_certificate.cdn.arn
  validation_record_fqdns = [aws_route53_record.validation[var.cdn_domain].fqdn]
}

# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------

resource "aws_route53_record" "app" {
  zone_id = aws_route53_zone.this.zone_id
  name    = var.app_domain
  type    = "A"

  alias {
    name                   = var.alb_dns_name
    zone_id                = var.alb_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "cdn" {
  for_each = toset(["A", "AAAA"])

  zone_id = aws_route53_zone.this.zone_id
  name    = var.cdn_domain
  type    = each.key

  alias {
    name                   = var.cdn_dns_name
    zone_id                = var.cdn_zone_id
    evaluate_target_health = false
  }
}

# ---------------------------------------------------------------------------
# Query logging (Route 53 writes query logs to us-east-1 only).
# ---------------------------------------------------------------------------

module "query_logs_key" {
  source = "../kms"

  providers = {
    aws = aws.us_east_1
  }

  alias          = "route53-query-logs-${replace(var.zone_name, ".", "-")}"
  description    = "Route 53 query logs of ${var.zone_name}"
  log_group_arns = ["arn:${data.aws_partition.current.partition}:logs:us-east-1:${local.account_id}:log-group:${local.query_log_name}"]

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "query_logs" {
  provider = aws.us_east_1

  name              = local.query_log_name
  retention_in_days = var.query_log_retention_days
  kms_key_id        = module.query_logs_key.arn

  tags = var.tags
}

data "aws_iam_policy_document" "query_logs" {
  statement {
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    # The log streams of the query log group, named by Route 53.
    resources = ["${aws_cloudwatch_log_group.query_logs.arn}:*"]

    principals {
      type        = "Service"
      identifiers = ["route53.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "query_logs" {
  provider = aws.us_east_1

  policy_name     = "route53-query-logs-${replace(var.zone_name, ".", "-")}"
  policy_document = data.aws_iam_policy_document.query_logs.json
}

resource "aws_route53_query_log" "this" {
  zone_id                  = aws_route53_zone.this.zone_id
  cloudwatch_log_group_arn = aws_cloudwatch_log_group.query_logs.arn

  depends_on = [aws_cloudwatch_log_resource_policy.query_logs]
}
