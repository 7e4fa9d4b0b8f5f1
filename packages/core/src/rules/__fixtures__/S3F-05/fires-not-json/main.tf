provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["210987654321"]
}

resource "aws_s3files_file_system_policy" "media" {
  file_system_id = "fs-0a1b2c3d4e5f6a7b8c9d0"
  # A trailing comma: PutFileSystemPolicy rejects the document.
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": { "AWS": "arn:aws:iam::210987654321:role/efs-csi-node" },
          "Action": ["s3files:ClientMount", "s3files:ClientWrite"],
          "Resource": "arn:aws:s3files:eu-west-1:210987654321:file-system/fs-0a1b2c3d4e5f6a7b8c9d0",
        }
      ]
    }
  POLICY
}
