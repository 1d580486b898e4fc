data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id

  # Plain values only: for_each must not depend on the KMS keys, because the static key's policy
  # depends on the distribution, which depends on the bucket.
  buckets = {
    static = {
      name            = "${var.name}-static-${local.account_id}"
      noncurrent_days = var.static_noncurrent_version_days
    }
    # Uploaded receipts: private, never behind CloudFront; the app hands out
    # short-lived presigned S3 URLs.
    media = {
      name            = "${var.name}-media-${local.account_id}"
      noncurrent_days = var.media_noncurrent_version_days
    }
  }

  bucket_kms_keys = {
    static = module.static_key.arn
    media  = module.media_key.arn
  }

  # CloudFront reads the static files through its origin access control; nobody reads receipts
  # but the app.
  bucket_policy_documents = {
    static = [data.aws_iam_policy_document.cloudfront_reads_static.json]
    media  = []
  }
}

# ---------------------------------------------------------------------------
# KMS: one key per bucket; only the static key lets CloudFront decrypt.
# ---------------------------------------------------------------------------

module "static_key" {
  source = "../kms"

  alias       = "${var.name}-static"
  description = "${var.name} static files bucket"
  service_grants = [
    {
      sid      = "CloudFrontOriginAccessControl"
      services = ["cloudfront.amazonaws.com"]
      actions  = ["kms:Decrypt"]
      condition = {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = [aws_cloudfront_distribution.static.arn]
      }
    },
  ]

  tags = var.tags
}

module "media_key" {
  source = "../kms"

  alias       = "${var.name}-media"
  description = "${var.name} uploaded receipts bucket"

  tags = var.tags
}

# ---------------------------------------------------------------------------
# Buckets
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "cloudfront_reads_static" {
  statement {
    sid     = "CloudFrontReadStatic"
    actions = ["s3:GetObject"]
    # The files collectstatic uploads, and only through this distribution.
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${local.buckets.static.name}/static/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudfront_distribution.static.arn]
    }
  }
}

module "bucket" {
  source   = "../private_bucket"
  for_each = local.buckets

  bucket                  = each.value.name
  force_destroy           = var.force_destroy
  kms_key_arn             = local.bucket_kms_keys[each.key]
  noncurrent_version_days = each.value.noncurrent_days
  access_logs             = { bucket = var.logs_bucket_name, prefix = "s3/" }
  policy_documents        = local.bucket_policy_documents[each.key]

  tags = merge(var.tags, { Purpose = each.key })
}

# ---------------------------------------------------------------------------
# CloudFront for /static/* only
# ---------------------------------------------------------------------------

resource "aws_cloudfront_origin_access_control" "static" {
  name                              = "${var.name}-static"
  description                       = "CloudFront access to the private static bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

data "aws_cloudfront_cache_policy" "optimized" {
  name = "Managed-CachingOptimized"
}

data "aws_cloudfront_origin_request_policy" "cors_s3" {
  name = "Managed-CORS-S3Origin"
}

resource "aws_cloudfront_response_headers_policy" "static" {
  name    = "${var.name}-static"
  comment = "Security headers and CORS for static files"

  cors_config {
    access_control_allow_credentials = false
    origin_override                  = true
    access_control_max_age_sec       = 86400

    access_control_allow_headers {
      items = ["*"]
    }

    access_control_allow_methods {
      items = ["GET", "HEAD", "OPTIONS"]
    }

    access_control_allow_origins {
      items = var.cors_allowed_origins
    }
  }

  security_headers_config {
    content_type_options {
      override = true
    }

    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }
  }
}

#trivy:ignore:AVD-AWS-0011 Only hashed static assets are served; the dynamic app is protected by the ALB's WAF
resource "aws_cloudfront_distribution" "static" {
  # checkov:skip=CKV_AWS_68:Serves only immutable, hashed static assets from a private bucket; the dynamic application is behind the ALB WAF.
  # checkov:skip=CKV2_AWS_47:No WAF on this distribution (see CKV_AWS_68), so there is no Log4j rule to configure.
  # checkov:skip=CKV_AWS_310:Single S3 origin for static files; an origin group would need a replicated bucket in another region.
  # checkov:skip=CKV_AWS_305:The distribution serves /static/* only; there is no root document to serve.
  # checkov:skip=CKV_AWS_374:Users are worldwide; no geo restriction for CSS/JS.
  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  comment         = "${var.name} static files"
  aliases         = [var.cdn_domain]
  price_class     = var.price_class

  origin {
    origin_id                = "static-bucket"
    domain_name              = module.bucket["static"].regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.static.id
  }

  default_cache_behavior {
    target_origin_id           = "static-bucket"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD", "OPTIONS"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.optimized.id
    origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.cors_s3.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.static.id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = var.cdn_certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }

  logging_config {
    bucket          = var.logs_bucket_domain_name
    prefix          = "cloudfront/${var.name}/"
    include_cookies = false
  }

  tags = var.tags
}
