module github.com/libcloudconnexa/cloudconnexa-go

go 1.21
