"""Qt widgets of the command console. They read console.state and call console/ for actions."""
