; expect: stream-as-label.s:2:1: error: label name 'E3' is a stream register; expected another name
E3:
