"""JT/T 808 (道路运输车辆卫星定位系统 终端通讯协议及数据格式), the protocol China's vehicle
terminals speak to their platform over TCP: the frame codec (``frame``), the message bodies
the gateway and the terminal simulator exchange (``messages``) and the stream splitter that
turns a socket's bytes into frames (``stream``). Pure bytes in, values out: no sockets, no
database, so the backend's gateway and the simulator's terminals share one codec.
"""
