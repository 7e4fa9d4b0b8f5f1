# The session policy allows mount and write on the file system the StorageClass mounts.
resource "aws_eks_pod_identity_association" "efs_csi_node" {
  cluster_name         = "prod"
  namespace            = "kube-system"
  service_account      = "efs-csi-node-sa"
  role_arn             = "arn:aws:iam::210987654321:role/efs-csi-node-dedicated"
  disable_session_tags = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "EfsClientAccess"
        Effect   = "Allow"
        Action   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
        Resource = "arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/fs-0d2c4b6a8e1f3a5b7"
      }
    ]
  })
}
