# One environment of Splitclone: the modules wired together. Environments differ only in the
# variables (sizes, protections, names); everything else is decided here once.

locals {
  name = "splitclone-${var.environment}"

  app_domain = var.domain_name
  cdn_domain = "static.${var.domain_name}"
  region     = data.aws_region.current.name

  # Database roles made by deploy/database/roles.sql (the db-bootstrap task): the service logs in
  # with DML rights only, the manage task (migrations) owns the schema. Neither is the master user.
  database_logins = {
    app = {
      user                = "splitclone_app"
      password_secret_arn = module.secrets.database_password_arns["app"]
    }
    manage = {
      user                = "splitclone_migrate"
      password_secret_arn = module.secrets.database_password_arns["migrate"]
    }
  }
}

data "aws_region" "current" {}

data "aws_iam_openid_connect_provider" "github" {
  url = "https://token.actions.githubusercontent.com"
}

module "network" {
  source = "../network"

  name               = local.name
  cidr_block         = var.cidr_block
  az_count           = 2
  nat_gateway_per_az = var.nat_gateway_per_az
}

module "logs" {
  source = "../logs"

  name               = local.name
  expiration_days    = var.access_log_expiration_days
  log_retention_days = var.log_retention_days
  force_destroy      = var.force_destroy
}

module "metrics" {
  source = "../metrics"

  name               = local.name
  log_kms_key_arn    = module.logs.kms_key_arn
  log_retention_days = var.log_retention_days
  enable_grafana     = var.enable_grafana
}

# Reads from the modules it watches; none of them reads from it.
module "monitoring" {
  source = "../monitoring"

  name                    = local.name
  kms_key_arn             = module.logs.kms_key_arn
  prometheus_workspace_id = module.metrics.prometheus_workspace_id
  alarm_email             = var.alarm_email
  alb_arn_suffix          = module.alb.alb_arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  ecs_cluster_name        = module.ecs.cluster_name
  ecs_service_name        = module.ecs.service_name
  db_instance_identifier  = module.rds.instance_identifier
  db_allocated_storage_gb = module.rds.allocated_storage
  prometheus_rules_dir    = "${path.module}/../../../prometheus/rules"
}

module "dns" {
  source = "../dns"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  zone_name                = var.domain_name
  app_domain               = local.app_domain
  cdn_domain               = local.cdn_domain
  alb_dns_name             = module.alb.alb_dns_name
  alb_zone_id              = module.alb.alb_zone_id
  cdn_dns_name             = module.static.distribution_domain_name
  cdn_zone_id              = module.static.distribution_hosted_zone_id
  query_log_retention_days = var.log_retention_days
}

module "alb" {
  source = "../alb"

  name                    = local.name
  vpc_id                  = module.network.vpc_id
  public_subnet_ids       = module.network.public_subnet_ids
  tasks_security_group_id = module.network.tasks_security_group_id
  certificate_arn         = module.dns.app_certificate_arn
  access_logs_bucket      = module.logs.bucket_name
  deletion_protection     = var.deletion_protection
  enable_waf              = var.enable_waf
  log_kms_key_arn         = module.logs.kms_key_arn
  log_retention_days      = var.log_retention_days
}

module "rds" {
  source = "../rds"

  name                     = local.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.database_subnet_ids
  client_security_group_id = module.network.tasks_security_group_id
  engine_version           = "16"
  instance_class           = var.db_instance_class
  allocated_storage        = var.db_allocated_storage
  max_allocated_storage    = var.db_max_allocated_storage
  multi_az                 = var.db_multi_az
  deletion_protection      = var.deletion_protection
  backup_retention_period  = var.db_backup_retention_days
  apply_immediately        = var.db_apply_immediately
  log_kms_key_arn          = module.logs.kms_key_arn
  log_retention_days       = var.log_retention_days
}

module "static" {
  source = "../static"

  name                    = local.name
  cdn_domain              = local.cdn_domain
  cdn_certificate_arn     = module.dns.cdn_certificate_arn
  cors_allowed_origins    = ["https://${local.app_domain}"]
  logs_bucket_name        = module.logs.bucket_name
  logs_bucket_domain_name = module.logs.bucket_domain_name
  force_destroy           = var.force_destroy
}

module "ecr" {
  source = "../ecr"

  name               = local.name
  keep_tagged_images = var.keep_tagged_images
}

module "secrets" {
  source = "../secrets"

  name = local.name
}

module "iam" {
  source = "../iam"

  name                        = local.name
  ecr_repository_arn          = module.ecr.repository_arn
  log_group_arns              = [module.logs.app_log_group_arn, module.logs.adot_log_group_arn]
  app_log_group_arn           = module.logs.app_log_group_arn
  secret_arns                 = module.secrets.secret_arns
  ssm_parameter_arns          = [module.ecs.adot_config_parameter_arn]
  secret_kms_key_arns         = [module.secrets.kms_key_arn]
  db_bootstrap_secret_arns    = [module.rds.master_user_secret_arn, local.database_logins.app.password_secret_arn, local.database_logins.manage.password_secret_arn]
  db_bootstrap_kms_key_arns   = [module.rds.kms_key_arn, module.secrets.kms_key_arn]
  media_bucket_arn            = module.static.media_bucket_arn
  media_kms_key_arn           = module.static.media_kms_key_arn
  static_bucket_arn           = module.static.static_bucket_arn
  static_kms_key_arn          = module.static.static_kms_key_arn
  prometheus_workspace_arn    = module.metrics.prometheus_workspace_arn
  ecs_cluster_name            = module.ecs.cluster_name
  ecs_service_name            = module.ecs.service_name
  ecs_worker_service_name     = module.ecs.worker_service_name
  manage_task_family          = module.ecs.manage_task_family
  cloudfront_distribution_arn = module.static.distribution_arn
  deploy_config_parameter_arn = aws_ssm_parameter.deploy_config.arn
  grafana_workspace_arn       = module.metrics.grafana_workspace_arn
  github_oidc_provider_arn    = data.aws_iam_openid_connect_provider.github.arn
  github_repository           = var.github_repository
  github_environment          = var.environment
}

module "ecs" {
  source = "../ecs"

  name                        = local.name
  environment_label           = var.environment
  repository_url              = module.ecr.repository_url
  image_tag                   = var.image_tag
  cpu                         = var.task_cpu
  memory                      = var.task_memory
  min_capacity                = var.min_capacity
  max_capacity                = var.max_capacity
  subnet_ids                  = module.network.private_subnet_ids
  security_group_id           = module.network.tasks_security_group_id
  target_group_arn            = module.alb.target_group_arn
  alb_arn_suffix              = module.alb.alb_arn_suffix
  target_group_arn_suffix     = module.alb.target_group_arn_suffix
  execution_role_arn          = module.iam.execution_role_arn
  app_task_role_arn           = module.iam.app_task_role_arn
  manage_task_role_arn        = module.iam.manage_task_role_arn
  app_log_group_name          = module.logs.app_log_group_name
  adot_log_group_name         = module.logs.adot_log_group_name
  exec_log_group_name         = module.logs.exec_log_group_name
  log_kms_key_arn             = module.logs.kms_key_arn
  secrets_kms_key_arn         = module.secrets.kms_key_arn
  prometheus_remote_write_url = module.metrics.prometheus_remote_write_url
  metrics_token_secret_arn    = module.secrets.metrics_token_arn

  environment           = local.app_environment
  secrets               = local.app_secrets
  app_database_login    = local.database_logins.app
  manage_database_login = local.database_logins.manage

  db_bootstrap = {
    execution_role_arn = module.iam.db_bootstrap_execution_role_arn
    master_secret_arn  = module.rds.master_user_secret_arn
    host               = module.rds.address
    port               = module.rds.port
    database           = module.rds.database_name
    sql                = file("${path.module}/../../../database/roles.sql")
  }
}

locals {
  app_environment = {
    DJANGO_SETTINGS_MODULE = "splitclone.settings.production"
    # The app's own domain only: the probes and the sidecar's /metrics scrape are answered
    # before host validation (splitclone.health, splitclone.metrics).
    ALLOWED_HOSTS        = local.app_domain
    CSRF_TRUSTED_ORIGINS = "https://${local.app_domain}"
    DATABASE_HOST        = module.rds.address
    DATABASE_PORT        = tostring(module.rds.port)
    DATABASE_NAME        = module.rds.database_name
    PGSSLMODE            = "require"
    DEFAULT_FROM_EMAIL   = var.default_from_email != "" ? var.default_from_email : "Splitclone <noreply@${var.domain_name}>"
    # Only the sidecar (same network namespace) may scrape without going through the ALB, which 404s /metrics anyway.
    METRICS_ALLOWED_NETWORKS = "127.0.0.1/32"
    LOG_LEVEL                = "INFO"
    GUNICORN_WORKERS         = tostring(var.gunicorn_workers)
    GUNICORN_THREADS         = "4"
    # Only the ALB (in the public subnets) can reach the tasks; trust its X-Forwarded-* headers.
    # It is the one proxy hop: rate limits key on the client address it appends to X-Forwarded-For.
    FORWARDED_ALLOW_IPS      = join(",", module.network.public_subnet_cidrs)
    TRUSTED_PROXY_COUNT      = "1"
    PROMETHEUS_MULTIPROC_DIR = "/tmp/prometheus"
    # Read by splitclone/settings/production.py: receipts in the media bucket (the app task role
    # reads and writes it), static files uploaded by collectstatic in the manage task (whose role
    # writes the static bucket) and served by CloudFront at STATIC_CDN_DOMAIN.
    AWS_STORAGE_BUCKET_NAME = module.static.media_bucket_name
    AWS_STATIC_BUCKET_NAME  = module.static.static_bucket_name
    AWS_S3_REGION_NAME      = local.region
    STATIC_CDN_DOMAIN       = local.cdn_domain
  }

  # DATABASE_USER and DATABASE_PASSWORD are added by the ecs module, per task family.
  app_secrets = {
    SECRET_KEY    = module.secrets.django_secret_key_arn
    EMAIL_URL     = module.secrets.email_url_arn
    METRICS_TOKEN = module.secrets.metrics_token_arn
  }
}

# Everything the deploy workflow needs, so GitHub only stores the role ARN,
# the region and this parameter's name.
resource "aws_ssm_parameter" "deploy_config" {
  # checkov:skip=CKV2_AWS_34:Holds only resource names/IDs for the deploy workflow, no secret; a plain String keeps the deploy role free of KMS permissions.
  name        = "/${local.name}/deploy-config"
  description = "Resource identifiers used by .github/workflows/deploy.yml"
  type        = "String"

  value = jsonencode({
    environment               = var.environment
    region                    = local.region
    app_url                   = "https://${local.app_domain}"
    ecr_repository_url        = module.ecr.repository_url
    ecr_repository_name       = module.ecr.repository_name
    cluster                   = module.ecs.cluster_name
    service                   = module.ecs.service_name
    app_task_family           = module.ecs.app_task_family
    worker_service            = module.ecs.worker_service_name
    worker_task_family        = module.ecs.worker_task_family
    manage_task_family        = module.ecs.manage_task_family
    db_bootstrap_task_family  = module.ecs.db_bootstrap_task_family
    app_log_group             = module.logs.app_log_group_name
    private_subnet_ids        = module.network.private_subnet_ids
    task_security_group_id    = module.network.tasks_security_group_id
    cloudfront_distribution   = module.static.distribution_id
    grafana_workspace_id      = module.metrics.grafana_workspace_id
    grafana_endpoint          = module.metrics.grafana_endpoint
    grafana_service_account   = module.metrics.grafana_service_account_id
    prometheus_query_endpoint = module.metrics.prometheus_endpoint
  })
}
