resource "kubernetes_service_account_v1" "efs_node" {
  metadata {
    name      = "efs-csi-node-sa"
    namespace = "kube-system"
    annotations = {
      "eks.amazonaws.com/role-arn" = aws_iam_role.node.arn
    }
  }
}

resource "helm_release" "efs_csi" {
  name       = "aws-efs-csi-driver"
  repository = "https://kubernetes-sigs.github.io/aws-efs-csi-driver/"
  chart      = "aws-efs-csi-driver"
  namespace  = "kube-system"

  set {
    name  = "node.serviceAccount.create"
    value = "false"
  }

  set {
    name  = "node.serviceAccount.name"
    value = kubernetes_service_account_v1.efs_node.metadata[0].name
  }
}

resource "kubernetes_persistent_volume_v1" "shared" {
  metadata {
    name = "efs-shared"
  }
  spec {
    capacity = {
      storage = "5Gi"
    }
    access_modes       = ["ReadWriteMany"]
    storage_class_name = ""
    mount_options      = ["tls", "iam"]
    persistent_volume_source {
      csi {
        driver        = "efs.csi.aws.com"
        volume_handle = "fs-0123456789abcdef0::fsap-0123456789abcdef0"
        volume_attributes = {
          encryptInTransit = "true"
        }
      }
    }
  }
}
