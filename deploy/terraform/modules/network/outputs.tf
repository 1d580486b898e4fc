output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Availability zones in use."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "Public subnets (ALB, NAT gateways)."
  value       = aws_subnet.public[*].id
}

output "public_subnet_cidrs" {
  description = "CIDRs of the public subnets; the ALB nodes live here (used for FORWARDED_ALLOW_IPS)."
  value       = aws_subnet.public[*].cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets for the ECS tasks (egress through NAT)."
  value       = aws_subnet.private[*].id
}

output "database_subnet_ids" {
  description = "Isolated subnets for the database (no internet route)."
  value       = aws_subnet.database[*].id
}

output "nat_gateway_count" {
  description = "Number of NAT gateways created."
  value       = local.nat_count
}

output "flow_log_group_name" {
  description = "CloudWatch log group receiving the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "tasks_security_group_id" {
  description = "Security group of the ECS tasks (service and one-off tasks); the alb and rds modules open it to themselves."
  value       = aws_security_group.tasks.id
}
