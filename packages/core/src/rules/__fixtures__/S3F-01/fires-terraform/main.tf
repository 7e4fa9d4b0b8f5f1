provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}

locals {
  # The S3 file system was created by the data team's stack; this one only governs who mounts it.
  media_fs_arn = "arn:aws:s3files:eu-west-1:111122223333:file-system/fs-0a1b2c3d4e5f6a7b8c9d0"
}

resource "aws_iam_role" "s3files_node" {
  name = "prod-efs-csi-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
}

resource "aws_iam_role_policy" "s3files_client" {
  name = "s3files-client"
  role = aws_iam_role.s3files_node.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "S3FilesClientAccess"
      Effect   = "Allow"
      Action   = ["s3files:ClientMount", "s3files:ClientWrite"]
      Resource = local.media_fs_arn
    }]
  })
}

resource "aws_eks_pod_identity_association" "efs_node" {
  cluster_name    = "prod"
  namespace       = "kube-system"
  service_account = "efs-csi-node-sa"
  role_arn        = aws_iam_role.s3files_node.arn
}

resource "aws_s3files_file_system" "media" {
  bucket   = "arn:aws:s3:::media-archive"
  role_arn = "arn:aws:iam::111122223333:role/media-s3files-sync"
}

resource "aws_s3files_file_system_policy" "media" {
  file_system_id = aws_s3files_file_system.media.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ReadOnlyForEveryone"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "s3files:ClientWrite"
      Resource  = local.media_fs_arn
    }]
  })
}
