"""Writes Triton's official gRPC protocol definitions as a FileDescriptorSet.

Triton's `grpc_service.proto` and `model_config.proto` are not published as
.proto files on any registry this project can reach, but the `tritonclient`
wheel on PyPI carries them compiled into `service_pb2.py` (Triton's grpc_service.proto) and
`model_config_pb2.py`. This reads those descriptors and writes them, with
their dependencies, to packages/gateway/proto/triton-grpc.pb, which the
gateway loads with @grpc/proto-loader. Run with the interop venv:

    $(bash scripts/python-env.sh) scripts/extract-triton-proto.py
"""

import pathlib
import sys
from importlib.metadata import version

from google.protobuf import descriptor_pb2
from tritonclient.grpc import service_pb2 as grpc_service_pb2



def add(fds: descriptor_pb2.FileDescriptorSet, fd, seen: set) -> None:
    if fd.name in seen:
        return
    for dep in fd.dependencies:
        add(fds, dep, seen)
    proto = descriptor_pb2.FileDescriptorProto()
    fd.CopyToProto(proto)
    fds.file.append(proto)
    seen.add(fd.name)


def main() -> None:
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "packages/gateway/proto/triton-grpc.pb")
    fds = descriptor_pb2.FileDescriptorSet()
    add(fds, grpc_service_pb2.DESCRIPTOR, set())
    out.write_bytes(fds.SerializeToString(deterministic=True))
    names = ", ".join(f.name for f in fds.file)
    print(f"wrote {out} ({out.stat().st_size} bytes): {names} from tritonclient {version('tritonclient')}")


if __name__ == "__main__":
    main()
