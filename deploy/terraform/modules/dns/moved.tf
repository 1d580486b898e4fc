# State address from before the query log key became a call of the kms module.

moved {
  from = aws_kms_key.query_logs
  to   = module.query_logs_key.aws_kms_key.this
}
