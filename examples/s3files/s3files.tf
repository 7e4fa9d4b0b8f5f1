provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}

resource "aws_s3files_file_system" "media" {
  bucket   = "arn:aws:s3:::media-archive"
  prefix   = "published/"
  role_arn = "arn:aws:iam::111122223333:role/media-s3files-sync"
}

# Copied from the EFS file system policy: S3 Files never evaluates elasticfilesystem: actions.
resource "aws_s3files_file_system_policy" "media" {
  file_system_id = aws_s3files_file_system.media.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ReadOnlyForTheMediaTeam"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:role/media-readers" }
      Action    = "elasticfilesystem:ClientMount"
      Resource  = "*"
    }]
  })
}
