data "aws_region" "current" {}

locals {
  region        = data.aws_region.current.name
  cluster_name  = var.name
  service_name  = "${var.name}-app"
  app_family    = "${var.name}-app"
  manage_family = "${var.name}-manage"
  image         = "${var.repository_url}:${var.image_tag}"

  # Each task family logs in to the database as its own role: the service with DML rights only,
  # the manage task (migrate, collectstatic, createsuperuser) as the migration role.
  app_environment    = merge(var.environment, { DATABASE_USER = var.app_database_login.user })
  app_secrets        = merge(var.secrets, { DATABASE_PASSWORD = var.app_database_login.password_secret_arn })
  manage_environment = merge(var.environment, { DATABASE_USER = var.manage_database_login.user })
  manage_secrets     = merge(var.secrets, { DATABASE_PASSWORD = var.manage_database_login.password_secret_arn })

  # Read-only root filesystem: /tmp (gunicorn worker heartbeat files,
  # PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus) is a per-task ephemeral volume.
  tmp_volume = "tmp"

  app_container = {
    name                   = "app"
    image                  = local.image
    essential              = true
    readonlyRootFilesystem = true
    privileged             = false
    portMappings = [
      { containerPort = var.container_port, protocol = "tcp", name = "http" },
    ]
    environment = [for k in sort(keys(local.app_environment)) : { name = k, value = local.app_environment[k] }]
    secrets     = [for k in sort(keys(local.app_secrets)) : { name = k, valueFrom = local.app_secrets[k] }]
    mountPoints = [
      { sourceVolume = local.tmp_volume, containerPath = "/tmp", readOnly = false },
    ]
    linuxParameters = { initProcessEnabled = true }
    stopTimeout     = 30
    healthCheck = {
      command     = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${var.container_port}/healthz', timeout=3)"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    logConfiguration = local.app_log_configurations["app"]
  }

  # Every container of the app image logs to the app log group under its own stream prefix.
  # One-off tasks (and the db-bootstrap task) write to streams manage/app/<task id>, where
  # `deploy.sh run-task` reads them back.
  app_log_configurations = {
    for prefix in ["app", "worker", "manage"] : prefix => {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.app_log_group_name
        awslogs-region        = local.region
        awslogs-stream-prefix = prefix
      }
    }
  }

  # The app container as the tasks that serve no web requests run it (the worker, the one-off
  # manage tasks): the same image, settings, database login and /tmp, without port or health
  # check. Each adds its name, command and logs.
  app_container_without_http = {
    for key, value in local.app_container : key => value if !contains(["portMappings", "healthCheck"], key)
  }

  adot_container = {
    name                   = "adot-collector"
    image                  = var.adot_image
    essential              = false
    readonlyRootFilesystem = true
    privileged             = false
    cpu                    = var.adot_cpu
    memory                 = var.adot_memory
    secrets = [
      { name = "AOT_CONFIG_CONTENT", valueFrom = aws_ssm_parameter.adot_config.arn },
      { name = "METRICS_TOKEN", valueFrom = var.metrics_token_secret_arn },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.adot_log_group_name
        awslogs-region        = local.region
        awslogs-stream-prefix = "adot"
      }
    }
  }

  # The background worker: the app container without port or health check,
  # running `run_worker` (queued tasks, and the periodic jobs it enqueues
  # itself). Its own /metrics is served on 127.0.0.1:container_port, where the
  # same ADOT sidecar configuration as the app's scrapes it.
  worker_container = merge(
    local.app_container_without_http,
    {
      name             = "worker"
      command          = ["python", "manage.py", "run_worker", "--metrics-port", tostring(var.container_port)]
      stopTimeout      = 120
      logConfiguration = local.app_log_configurations["worker"]
    },
  )

  # One-off tasks run `migrate` unless the command is overridden (collectstatic,
  # createsuperuser, ...), logging in as the migration role.
  manage_container = merge(
    local.app_container_without_http,
    {
      command          = ["python", "manage.py", "migrate", "--noinput"]
      environment      = [for k in sort(keys(local.manage_environment)) : { name = k, value = local.manage_environment[k] }]
      secrets          = [for k in sort(keys(local.manage_secrets)) : { name = k, valueFrom = local.manage_secrets[k] }]
      logConfiguration = local.app_log_configurations["manage"]
    },
  )
}

# ---------------------------------------------------------------------------
# Database roles (deploy/database/roles.sql), run once per environment as the RDS master user,
# the one task that reads the master secret (docs/deploy.md). It has its own execution role,
# which the deploy role cannot pass: an administrator runs it.
# ---------------------------------------------------------------------------

locals {
  db_bootstrap_environment = {
    PGHOST                  = var.db_bootstrap.host
    PGPORT                  = tostring(var.db_bootstrap.port)
    PGDATABASE              = var.db_bootstrap.database
    PGSSLMODE               = "require"
    ROLES_SQL               = var.db_bootstrap.sql
    SPLITCLONE_APP_ROLE     = var.app_database_login.user
    SPLITCLONE_MIGRATE_ROLE = var.manage_database_login.user
  }
  db_bootstrap_secrets = {
    PGUSER                      = "${var.db_bootstrap.master_secret_arn}:username::"
    PGPASSWORD                  = "${var.db_bootstrap.master_secret_arn}:password::"
    SPLITCLONE_APP_PASSWORD     = var.app_database_login.password_secret_arn
    SPLITCLONE_MIGRATE_PASSWORD = var.manage_database_login.password_secret_arn
  }

  db_bootstrap_container = {
    # Named like the manage task's container, so `deploy.sh run-task` waits for it and prints its log.
    name                   = "app"
    image                  = var.db_bootstrap_image
    essential              = true
    readonlyRootFilesystem = true
    privileged             = false
    user                   = "postgres"
    command                = ["sh", "-c", "printf '%s\\n' \"$ROLES_SQL\" | psql --no-psqlrc --set=ON_ERROR_STOP=1"]
    environment            = [for k in sort(keys(local.db_bootstrap_environment)) : { name = k, value = local.db_bootstrap_environment[k] }]
    secrets                = [for k in sort(keys(local.db_bootstrap_secrets)) : { name = k, valueFrom = local.db_bootstrap_secrets[k] }]
    logConfiguration       = local.app_log_configurations["manage"]
  }
}

# ---------------------------------------------------------------------------
# ADOT collector configuration (SSM parameter -> AOT_CONFIG_CONTENT).
# `${env:METRICS_TOKEN}` is expanded by the collector at start-up.
# ---------------------------------------------------------------------------

resource "aws_ssm_parameter" "adot_config" {
  name        = "/${var.name}/adot-config"
  description = "ADOT collector configuration: scrape localhost:${var.container_port}/metrics, remote write to AMP"
  type        = "SecureString"
  key_id      = var.secrets_kms_key_arn
  tier        = "Standard"

  value = yamlencode({
    extensions = {
      sigv4auth = {
        region  = local.region
        service = "aps"
      }
      health_check = {}
    }
    receivers = {
      prometheus = {
        config = {
          global = {
            scrape_interval = var.scrape_interval
            scrape_timeout  = "10s"
          }
          scrape_configs = [
            {
              job_name     = "splitclone"
              metrics_path = "/metrics"
              authorization = {
                type        = "Bearer"
                credentials = "$${env:METRICS_TOKEN}"
              }
              static_configs = [
                {
                  targets = ["localhost:${var.container_port}"]
                  labels = {
                    environment = var.environment_label
                    service     = "splitclone"
                  }
                },
              ]
            },
          ]
        }
      }
    }
    processors = {
      # Adds the ECS task metadata (aws.ecs.task.arn, ...) of the running task.
      resourcedetection = {
        detectors = ["env", "ecs"]
        timeout   = "5s"
        override  = false
      }
      # `instance` becomes the task ARN (one series per task; the dashboards'
      # "Task" variable lists it), and noisy attributes are dropped.
      resource = {
        attributes = concat(
          [{ key = "service.instance.id", from_attribute = "aws.ecs.task.arn", action = "upsert" }],
          [
            for key in ["aws.log.group.arns", "aws.log.group.names", "aws.log.stream.arns", "aws.log.stream.names", "aws.ecs.cluster.arn", "aws.ecs.task.arn", "cloud.account.id", "cloud.provider", "cloud.platform"] :
            { key = key, action = "delete" }
          ],
        )
      }
      batch = {}
    }
    exporters = {
      prometheusremotewrite = {
        endpoint = var.prometheus_remote_write_url
        auth     = { authenticator = "sigv4auth" }
        resource_to_telemetry_conversion = {
          enabled = true
        }
      }
    }
    service = {
      extensions = ["sigv4auth", "health_check"]
      pipelines = {
        metrics = {
          receivers  = ["prometheus"]
          processors = ["resourcedetection", "resource", "batch"]
          exporters  = ["prometheusremotewrite"]
        }
      }
    }
  })

  tags = var.tags
}

# ---------------------------------------------------------------------------
# Cluster
# ---------------------------------------------------------------------------

resource "aws_ecs_cluster" "this" {
  name = local.cluster_name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  configuration {
    execute_command_configuration {
      kms_key_id = var.log_kms_key_arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = var.exec_log_group_name
      }
    }
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# ---------------------------------------------------------------------------
# Task definitions
# ---------------------------------------------------------------------------

resource "aws_ecs_task_definition" "app" {
  family                   = local.app_family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.app_task_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = local.tmp_volume
  }

  container_definitions = jsonencode(concat(
    [local.app_container],
    var.enable_adot ? [local.adot_container] : [],
  ))

  tags = var.tags
}

resource "aws_ecs_task_definition" "manage" {
  family                   = local.manage_family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.manage_task_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = local.tmp_volume
  }

  container_definitions = jsonencode([local.manage_container])

  tags = var.tags
}

resource "aws_ecs_task_definition" "db_bootstrap" {
  family                   = "${var.name}-db-bootstrap"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = var.db_bootstrap.execution_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([local.db_bootstrap_container])

  tags = var.tags
}

# ---------------------------------------------------------------------------
# Service
# ---------------------------------------------------------------------------

resource "aws_ecs_service" "app" {
  name                              = local.service_name
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.app.arn
  desired_count                     = var.min_capacity
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = var.health_check_grace_period
  enable_execute_command            = false
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = false

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  # A deployment whose tasks keep failing is stopped and rolled back to the
  # last steady revision automatically.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = "app"
    container_port   = var.container_port
  }

  tags = var.tags

  lifecycle {
    # The deploy workflow registers revisions with new image tags and
    # autoscaling owns the count; Terraform must not roll either back.
    ignore_changes = [task_definition, desired_count]
  }
}

# ---------------------------------------------------------------------------
# Autoscaling: CPU and ALB requests per target
# ---------------------------------------------------------------------------

resource "aws_appautoscaling_target" "app" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.app.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app.service_namespace
  resource_id        = aws_appautoscaling_target.app.resource_id
  scalable_dimension = aws_appautoscaling_target.app.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  name               = "${var.name}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app.service_namespace
  resource_id        = aws_appautoscaling_target.app.resource_id
  scalable_dimension = aws_appautoscaling_target.app.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${var.alb_arn_suffix}/${var.target_group_arn_suffix}"
    }
  }
}

# ---------------------------------------------------------------------------
# Background worker: its own service, same image, fixed at var.worker_count.
# One is enough (a run of the recurring-expense job over 10,000 of them takes
# well under its 15-minute period, docs/benchmarks.md), and more would only
# share the queue: every periodic job is idempotent, so two workers (or the old
# and the new one overlapping during a deployment) repeat nothing but no-ops.
# Alerts on failed tasks and on the queue's age watch it (deploy/prometheus).
# ---------------------------------------------------------------------------

resource "aws_ecs_task_definition" "worker" {
  family                   = "${var.name}-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.worker_cpu
  memory                   = var.worker_memory
  execution_role_arn       = var.execution_role_arn
  # It runs the app's code against the same database, storage and mail.
  task_role_arn = var.app_task_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = local.tmp_volume
  }

  container_definitions = jsonencode(concat(
    [local.worker_container],
    var.enable_adot ? [local.adot_container] : [],
  ))

  tags = var.tags
}

resource "aws_ecs_service" "worker" {
  name                   = "${var.name}-worker"
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.worker.arn
  desired_count          = var.worker_count
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = false
  propagate_tags         = "SERVICE"
  wait_for_steady_state  = false

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  tags = var.tags

  lifecycle {
    # Deploys register revisions with new image tags, as for the app service.
    ignore_changes = [task_definition]
  }
}
