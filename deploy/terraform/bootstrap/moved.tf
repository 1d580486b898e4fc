# State addresses from before the key became a call of the kms module.

moved {
  from = aws_kms_key.state
  to   = module.kms.aws_kms_key.this
}

moved {
  from = aws_kms_alias.state
  to   = module.kms.aws_kms_alias.this
}
