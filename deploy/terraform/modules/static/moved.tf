# State addresses from before the keys and buckets became calls of the kms and private_bucket
# modules.

moved {
  from = aws_kms_key.static
  to   = module.static_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.static
  to   = module.static_key.aws_kms_alias.this
}

moved {
  from = aws_kms_key.media
  to   = module.media_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.media
  to   = module.media_key.aws_kms_alias.this
}

moved {
  from = aws_s3_bucket.this["static"]
  to   = module.bucket["static"].aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_ownership_controls.this["static"]
  to   = module.bucket["static"].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["static"]
  to   = module.bucket["static"].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["static"]
  to   = module.bucket["static"].aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["static"]
  to   = module.bucket["static"].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["static"]
  to   = module.bucket["static"].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["static"]
  to   = module.bucket["static"].aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_logging.this["static"]
  to   = module.bucket["static"].aws_s3_bucket_logging.this[0]
}

moved {
  from = aws_s3_bucket.this["media"]
  to   = module.bucket["media"].aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_ownership_controls.this["media"]
  to   = module.bucket["media"].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["media"]
  to   = module.bucket["media"].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["media"]
  to   = module.bucket["media"].aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["media"]
  to   = module.bucket["media"].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["media"]
  to   = module.bucket["media"].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["media"]
  to   = module.bucket["media"].aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_logging.this["media"]
  to   = module.bucket["media"].aws_s3_bucket_logging.this[0]
}
