locals {
  cluster_name = "prod"
  node_sa      = "efs-csi-node-sa"
}

# The dedicated identity of the EFS CSI node component (Pod Identity).
resource "aws_iam_role" "efs_node" {
  name = "${local.cluster_name}-efs-csi-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowEksAuthToAssumeRoleForPodIdentity"
        Effect    = "Allow"
        Principal = { Service = "pods.eks.amazonaws.com" }
        Action    = ["sts:AssumeRole", "sts:TagSession"]
      }
    ]
  })

  tags = {
    team = "storage"
  }
}

resource "aws_eks_addon" "efs" {
  cluster_name  = local.cluster_name
  addon_name    = "aws-efs-csi-driver"
  addon_version = "v3.1.0-eksbuild.1"

  pod_identity_association {
    role_arn        = aws_iam_role.efs_node.arn
    service_account = local.node_sa
  }
}
