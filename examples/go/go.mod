module github.com/cnai-model-platform/cnai-model-platform/examples/go

go 1.25

require (
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 v2.70.7
	github.com/cdk8s-team/cdk8s-plus-go/cdk8splus30/v2 v2.4.10
	github.com/cnai-model-platform/cnai-model-platform-go/cnaimodelplatform v0.0.0
)
