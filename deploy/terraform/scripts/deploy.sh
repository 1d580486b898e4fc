#!/usr/bin/env bash
# Deploy steps for one Splitclone environment on ECS. Used by .github/workflows/deploy.yml and,
# for one-off tasks and rollbacks, by hand (docs/deploy.md).
#
# Needs the AWS CLI v2, jq, and docker (push-image) / curl (smoke, grafana-import), plus AWS
# credentials for the environment's deploy role. The resource names come from the SSM parameter
# that Terraform writes (output `deploy_config_parameter`):
#   DEPLOY_CONFIG_PARAMETER=/splitclone-staging/deploy-config   (or DEPLOY_CONFIG_FILE=<json>)
set -euo pipefail

usage() {
  cat <<'EOF'
usage: deploy.sh <command> [args]

  fetch-config <file>             write the deploy configuration JSON to <file>
  push-image <local-image> <tag>  push a loaded image to ECR as <tag> (skipped if the tag exists)
  require-image <tag>             fail unless <tag> is already in ECR
  register <tag>                  register app, worker and manage task definitions with image
                                  <tag>; prints app=<arn>, worker=<arn> and manage=<arn>
  run-task <task-def|-> [cmd...]  run a one-off task ('-' = latest manage revision), wait for it,
                                  print its log and fail on a non-zero exit code
  deploy-service <app-task-def> <worker-task-def>
                                  roll the app service, then the worker service, each waited
                                  for until stable; fail if a circuit breaker rolled one back
  invalidate                      invalidate /static/* on the CDN
  grafana-import [dir]            upsert the AMP data source and import dashboards (*.json)
  smoke                           /healthz and /readyz answer 200, /metrics answers 404
EOF
}

log() { printf '==> %s\n' "$*" >&2; }

die() {
  printf '::error::%s\n' "$*" >&2
  exit 1
}

load_config() {
  if [ -z "${DEPLOY_CONFIG_FILE:-}" ] || [ ! -s "$DEPLOY_CONFIG_FILE" ]; then
    : "${DEPLOY_CONFIG_PARAMETER:?set DEPLOY_CONFIG_PARAMETER or DEPLOY_CONFIG_FILE}"
    DEPLOY_CONFIG_FILE=$(mktemp)
    aws ssm get-parameter --name "$DEPLOY_CONFIG_PARAMETER" \
      --query Parameter.Value --output text >"$DEPLOY_CONFIG_FILE"
  fi
  AWS_REGION=${AWS_REGION:-$(jq -r .region "$DEPLOY_CONFIG_FILE")}
  export AWS_REGION DEPLOY_CONFIG_FILE
}

# cfg KEY: one value of the deploy configuration (lists are joined with commas).
cfg() {
  jq -r --arg key "$1" '.[$key] | if type == "array" then join(",") else (. // "") end' \
    "$DEPLOY_CONFIG_FILE"
}

cmd_fetch_config() {
  local target=${1:?target file}
  load_config
  cp "$DEPLOY_CONFIG_FILE" "$target"
  log "deploy configuration of $(cfg environment) written to $target"
}

# ECR tag syntax; the workflow passes a git SHA (or a SHA typed into workflow_dispatch).
check_tag() {
  [[ "$1" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "invalid image tag: '$1'"
}

image_exists() {
  aws ecr describe-images --repository-name "$(cfg ecr_repository_name)" \
    --image-ids imageTag="$1" >/dev/null 2>&1
}

cmd_push_image() {
  local local_image=${1:?local image} tag=${2:?tag} repo registry
  check_tag "$tag"
  load_config
  repo=$(cfg ecr_repository_url)
  registry=${repo%%/*}
  if image_exists "$tag"; then
    log "$repo:$tag already exists (tags are immutable), not pushing"
    return 0
  fi
  aws ecr get-login-password | docker login --username AWS --password-stdin "$registry"
  docker tag "$local_image" "$repo:$tag"
  docker push "$repo:$tag"
}

cmd_require_image() {
  local tag=${1:?tag}
  check_tag "$tag"
  load_config
  image_exists "$tag" || die "image tag $tag is not in $(cfg ecr_repository_url)"
  log "found $(cfg ecr_repository_url):$tag"
}

# Register a new revision of FAMILY from its latest one, with its CONTAINER on IMAGE.
# Terraform owns everything else in the task definition (env, secrets, sidecar).
register_family() {
  local family=$1 image=$2 container=$3 spec
  spec=$(mktemp)
  aws ecs describe-task-definition --task-definition "$family" \
    --query taskDefinition --output json |
    jq --arg image "$image" --arg container "$container" '
      .containerDefinitions |= map(if .name == $container then .image = $image else . end)
      | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
            .registeredAt, .registeredBy, .deregisteredAt)' >"$spec"
  aws ecs register-task-definition --cli-input-json "file://$spec" \
    --query taskDefinition.taskDefinitionArn --output text
}

cmd_register() {
  local tag=${1:?tag} image
  check_tag "$tag"
  load_config
  image="$(cfg ecr_repository_url):$tag"
  echo "app=$(register_family "$(cfg app_task_family)" "$image" app)"
  echo "worker=$(register_family "$(cfg worker_task_family)" "$image" worker)"
  echo "manage=$(register_family "$(cfg manage_task_family)" "$image" app)"
}

cmd_run_task() {
  local task_definition=${1:?task definition or -} cluster overrides network result task_arn
  shift
  load_config
  cluster=$(cfg cluster)
  [ "$task_definition" != "-" ] || task_definition=$(cfg manage_task_family)
  overrides='{}'
  if [ $# -gt 0 ]; then
    # One JSON string per argument (jq --args would parse "--noinput" as its own option).
    overrides=$(printf '%s\n' "$@" | jq -R . |
      jq -sc '{containerOverrides: [{name: "app", command: .}]}')
  fi
  network=$(jq -c '{awsvpcConfiguration: {subnets: .private_subnet_ids,
    securityGroups: [.task_security_group_id], assignPublicIp: "DISABLED"}}' "$DEPLOY_CONFIG_FILE")

  result=$(aws ecs run-task --cluster "$cluster" --task-definition "$task_definition" \
    --launch-type FARGATE --platform-version LATEST --network-configuration "$network" \
    --overrides "$overrides" --started-by "deploy-${GITHUB_RUN_ID:-manual}" --output json)
  task_arn=$(jq -r '.tasks[0].taskArn // empty' <<<"$result")
  [ -n "$task_arn" ] || die "run-task failed: $(jq -c .failures <<<"$result")"
  log "started ${task_arn##*/} (${*:-default command})"

  # `aws ecs wait tasks-stopped` gives up after 10 minutes; allow up to an hour.
  local attempt
  for attempt in 1 2 3 4 5 6; do
    if aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task_arn"; then
      break
    fi
    [ "$attempt" -lt 6 ] || die "task ${task_arn##*/} still running after an hour"
  done

  local described exit_code reason
  described=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task_arn" --output json)
  exit_code=$(jq -r '.tasks[0].containers[] | select(.name == "app") | .exitCode // "none"' \
    <<<"$described")
  reason=$(jq -r '.tasks[0].stoppedReason // ""' <<<"$described")

  log "log of ${task_arn##*/}:"
  aws logs get-log-events --log-group-name "$(cfg app_log_group)" \
    --log-stream-name "manage/app/${task_arn##*/}" --start-from-head \
    --query 'events[].message' --output text 2>/dev/null | tr '\t' '\n' | tail -n 200 >&2 || true

  [ "$exit_code" = "0" ] || die "one-off task failed: exit code $exit_code ($reason)"
  log "one-off task succeeded"
}

# Roll SERVICE of CLUSTER to TASK_DEFINITION and wait until it is stable; fail if it is not, or if
# the circuit breaker rolled it back.
roll_service() {
  local cluster=$1 service=$2 task_definition=$3 state primary rollout
  aws ecs update-service --cluster "$cluster" --service "$service" \
    --task-definition "$task_definition" --query 'service.serviceName' --output text >/dev/null
  log "rolling $service to ${task_definition##*/}"

  local attempt
  for attempt in 1 2 3 4; do
    if aws ecs wait services-stable --cluster "$cluster" --services "$service"; then
      break
    fi
    [ "$attempt" -lt 4 ] || die "$service did not become stable within 40 minutes"
  done

  # If the circuit breaker rolled back, the PRIMARY deployment runs the previous revision.
  # shellcheck disable=SC2016 # backticks are JMESPath literals, not command substitution
  state=$(aws ecs describe-services --cluster "$cluster" --services "$service" \
    --query 'services[0].deployments[?status==`PRIMARY`] | [0].[taskDefinition, rolloutState]' \
    --output text)
  read -r primary rollout <<<"$state"
  if [ "$primary" != "$task_definition" ] || [ "$rollout" != "COMPLETED" ]; then
    die "deployment of $service failed and was rolled back (primary ${primary##*/}, rollout $rollout)"
  fi
  log "$service runs ${task_definition##*/}"
}

# The worker follows the app once the app is stable: an image whose web tasks never become
# healthy stops the deploy before it reaches the worker, which has no health check of its own.
cmd_deploy_service() {
  local app_task_definition=${1:?app task definition arn}
  local worker_task_definition=${2:?worker task definition arn} cluster
  load_config
  cluster=$(cfg cluster)
  roll_service "$cluster" "$(cfg service)" "$app_task_definition"
  roll_service "$cluster" "$(cfg worker_service)" "$worker_task_definition"
}

cmd_invalidate() {
  local id
  load_config
  id=$(aws cloudfront create-invalidation --distribution-id "$(cfg cloudfront_distribution)" \
    --paths '/static/*' --query Invalidation.Id --output text)
  log "CloudFront invalidation $id created for /static/*"
}

cmd_grafana_import() {
  local dir=${1:-deploy/grafana} workspace endpoint account token_id token headers
  load_config
  workspace=$(cfg grafana_workspace_id)
  if [ -z "$workspace" ]; then
    log "Managed Grafana is disabled in $(cfg environment); skipping dashboards"
    return 0
  fi
  local -a dashboards=()
  if [ -d "$dir" ]; then
    mapfile -t dashboards < <(find "$dir" -type f -name '*.json' | sort)
  fi
  if [ ${#dashboards[@]} -eq 0 ]; then
    log "no dashboards under $dir"
    return 0
  fi
  endpoint=$(cfg grafana_endpoint)
  account=$(cfg grafana_service_account)
  read -r token_id token < <(aws grafana create-workspace-service-account-token \
    --workspace-id "$workspace" --service-account-id "$account" \
    --name "deploy-${GITHUB_RUN_ID:-manual}-$(date +%s)" --seconds-to-live 900 \
    --query 'serviceAccountToken.[id, key]' --output text)
  [ -n "${token:-}" ] || die "could not create a Grafana service account token"
  [ -z "${GITHUB_ACTIONS:-}" ] || echo "::add-mask::$token"
  headers=$(mktemp)
  printf 'Authorization: Bearer %s\nContent-Type: application/json\n' "$token" >"$headers"
  # shellcheck disable=SC2064 # expand now: the values are local to this function
  trap "rm -f '$headers'; aws grafana delete-workspace-service-account-token \
    --workspace-id '$workspace' --service-account-id '$account' --token-id '$token_id' \
    >/dev/null || true" EXIT

  local datasource
  datasource=$(jq -n --arg url "$(cfg prometheus_query_endpoint)" --arg region "$AWS_REGION" '{
    name: "Amazon Managed Prometheus", uid: "amp", type: "prometheus", access: "proxy",
    url: $url, isDefault: true,
    jsonData: {httpMethod: "POST", sigV4Auth: true, sigV4AuthType: "ec2_iam_role",
               sigV4Region: $region}}')
  if curl -fsS -H "@$headers" -o /dev/null "$endpoint/api/datasources/uid/amp" 2>/dev/null; then
    curl -fsS -H "@$headers" -X PUT -d "$datasource" -o /dev/null \
      "$endpoint/api/datasources/uid/amp"
  else
    curl -fsS -H "@$headers" -X POST -d "$datasource" -o /dev/null "$endpoint/api/datasources"
  fi
  log "data source 'amp' points at $(cfg prometheus_query_endpoint)"

  local file
  for file in "${dashboards[@]}"; do
    jq --arg message "deploy ${GITHUB_SHA:-manual}" '{
        dashboard: ((if has("dashboard") then .dashboard else . end) | del(.id)),
        overwrite: true, message: $message}' "$file" |
      curl -fsS -H "@$headers" -X POST -d @- -o /dev/null "$endpoint/api/dashboards/db"
    log "imported $file"
  done
}

cmd_smoke() {
  local url path code
  load_config
  url=$(cfg app_url)
  for path in /healthz /readyz; do
    curl -fsS --max-time 10 --retry 6 --retry-delay 5 --retry-all-errors -o /dev/null \
      "$url$path" || die "$url$path did not answer 200"
    log "$url$path OK"
  done
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url/metrics")
  [ "$code" = "404" ] || die "$url/metrics answered $code, expected 404 from the ALB"
  log "$url/metrics is not public (404)"
}

main() {
  local command=${1:-}
  [ $# -eq 0 ] || shift
  case "$command" in
  fetch-config) cmd_fetch_config "$@" ;;
  push-image) cmd_push_image "$@" ;;
  require-image) cmd_require_image "$@" ;;
  register) cmd_register "$@" ;;
  run-task) cmd_run_task "$@" ;;
  deploy-service) cmd_deploy_service "$@" ;;
  invalidate) cmd_invalidate "$@" ;;
  grafana-import) cmd_grafana_import "$@" ;;
  smoke) cmd_smoke "$@" ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
  esac
}

main "$@"
